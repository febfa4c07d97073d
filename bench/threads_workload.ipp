// The multi-threaded workloads, written once against the namespace alias `net`.
//
// Not a header: threads.cpp includes it twice, inside `namespace bench_asio {
// namespace net = ::asio; }` and `namespace bench_rill { namespace net =
// ::rill; }`, so both libraries run the same code. It must not include
// anything itself and may only use names Asio and rill share: io_context,
// post, strand, make_strand, executor_work_guard.

// One chain: a handler that posts itself `remaining` times, either to the
// io_context or to the chain's own strand.
struct mt_chain {
  std::uint64_t remaining = 0;
  std::uint64_t handled = 0;
};

template <typename Executor>
class mt_chain_handler {
 public:
  mt_chain_handler(mt_chain& chain, const Executor& ex) noexcept : chain_(&chain), ex_(ex) {}

  void operator()() {
    ++chain_->handled;
    if (--chain_->remaining != 0) net::post(ex_, std::move(*this));
  }

 private:
  mt_chain* chain_;
  Executor ex_;
};

// `chains` chains of `per_chain` handlers on one io_context run by
// `threads` threads. With `use_strands`, each chain goes through its own
// strand, so one chain's handlers never run concurrently while different
// chains spread over the threads.
inline bench::measurement run_mt_chains(std::size_t threads, std::size_t chains,
                                        std::uint64_t per_chain, bool use_strands) {
  net::io_context ioc(static_cast<int>(threads));
  std::vector<mt_chain> state(chains);
  using strand_type = net::strand<net::io_context::executor_type>;
  std::vector<strand_type> strands;
  for (std::size_t i = 0; i < chains; ++i) strands.push_back(net::make_strand(ioc.get_executor()));

  auto start = [&](std::uint64_t n) {
    for (std::size_t i = 0; i < chains; ++i) {
      state[i].remaining = n;
      state[i].handled = 0;
      if (use_strands) {
        net::post(strands[i], mt_chain_handler<strand_type>(state[i], strands[i]));
      } else {
        net::post(ioc,
                  mt_chain_handler<net::io_context::executor_type>(state[i], ioc.get_executor()));
      }
    }
  };
  auto run_all = [&] {
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back([&] { ioc.run(); });
    ioc.run();
    for (auto& t : pool) t.join();
  };

  start(std::max<std::uint64_t>(1, per_chain / 10));
  run_all();
  ioc.restart();

  start(per_chain);
  bench::measurement result;
  const std::uint64_t allocations_before = bench::heap_allocation_count();
  const auto t0 = std::chrono::steady_clock::now();
  run_all();
  const auto t1 = std::chrono::steady_clock::now();
  const std::uint64_t allocations_after = bench::heap_allocation_count();

  result.seconds = std::chrono::duration<double>(t1 - t0).count();
  // Thread start-up is inside the timed phase; each spawned thread's stack
  // and bookkeeping is a heap allocation or two in both libraries alike.
  result.heap_allocations = allocations_after - allocations_before;
  result.complete = true;
  for (const mt_chain& c : state) {
    result.work += c.handled;
    if (c.handled != per_chain) result.complete = false;
  }
  result.operations = result.work;
  result.checksum = result.work;
  return result;
}

// A ball passed between two io_contexts, each run by its own thread: every
// hand-off is a post from one thread to the other (a cross-thread wake-up
// when the other side is idle).
struct mt_court {
  net::io_context* sides[2] = {nullptr, nullptr};
  std::uint64_t remaining = 0;
  std::uint64_t hits = 0;
};

class mt_ball {
 public:
  mt_ball(mt_court& court, int side) noexcept : court_(&court), side_(side) {}

  void operator()() {
    ++court_->hits;
    if (--court_->remaining == 0) {
      court_->sides[0]->stop();
      court_->sides[1]->stop();
      return;
    }
    side_ ^= 1;
    net::post(*court_->sides[side_], std::move(*this));
  }

 private:
  mt_court* court_;
  int side_;
};

inline bench::measurement run_mt_ping_pong(std::uint64_t hits) {
  net::io_context a(1);
  net::io_context b(1);
  mt_court court;
  court.sides[0] = &a;
  court.sides[1] = &b;
  auto guard_a = net::make_work_guard(a);
  auto guard_b = net::make_work_guard(b);

  auto play = [&](std::uint64_t n) {
    a.restart();
    b.restart();
    court.remaining = n;
    court.hits = 0;
    net::post(a, mt_ball(court, 0));
    std::thread other([&] { b.run(); });
    a.run();
    other.join();
  };
  play(std::max<std::uint64_t>(1, hits / 10));

  bench::measurement result;
  const std::uint64_t allocations_before = bench::heap_allocation_count();
  const auto t0 = std::chrono::steady_clock::now();
  play(hits);
  const auto t1 = std::chrono::steady_clock::now();
  const std::uint64_t allocations_after = bench::heap_allocation_count();
  result.seconds = std::chrono::duration<double>(t1 - t0).count();
  result.heap_allocations = allocations_after - allocations_before;
  result.work = court.hits;
  result.operations = court.hits;
  result.checksum = court.hits;
  result.complete = court.hits == hits;
  return result;
}
