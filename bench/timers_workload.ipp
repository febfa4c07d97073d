// The timer workload, written once against the namespace alias `net`.
//
// Not a header: timers.cpp includes it twice, inside `namespace bench_asio {
// namespace net = ::asio; }` and `namespace bench_rill { namespace net =
// ::rill; }`, so both libraries run the same code. It must not include
// anything itself and may only use names Asio and rill share: io_context,
// steady_timer (expires_after, async_wait), error_code, run, restart.

// One timer and what its handlers count.
struct timer_state {
  explicit timer_state(net::io_context& ioc) : timer(ioc) {}

  net::steady_timer timer;
  std::uint64_t remaining = 0;  // waits still to complete, including the pending one
  std::uint64_t handled = 0;    // waits completed since the timer was started
  std::uint64_t errors = 0;     // waits that completed with an error (none expected)
  bench::handler_memory memory;
};

// Re-arms its timer at zero delay and waits again, until the timer's counter
// reaches zero. The handler is two pointers' worth: the state pointer and the
// allocator hook (empty).
template <bool CustomAlloc>
class timer_handler : public bench::allocator_hook<CustomAlloc> {
 public:
  explicit timer_handler(timer_state& state) noexcept : state_(&state) {}

  void operator()(const net::error_code& ec) {
    timer_state& s = *state_;
    if (ec) {
      ++s.errors;
      return;
    }
    ++s.handled;
    if (--s.remaining != 0) {
      s.timer.expires_after(net::steady_timer::duration::zero());
      s.timer.async_wait(std::move(*this));
    }
  }

  bench::handler_allocator<char> get_allocator() const noexcept requires CustomAlloc {
    return bench::handler_allocator<char>(state_->memory);
  }

 private:
  timer_state* state_;
};

// Runs `timers` timers of `waits_per_timer` zero-delay waits each on one
// io_context and one thread, after a warm-up of `warmup_per_timer` waits per
// timer on the same io_context and timers. The first wait of each timer is
// started before the clock starts, so the figures are per-wait steady state.
template <bool CustomAlloc>
bench::measurement run_timers(std::size_t timers, std::uint64_t waits_per_timer,
                              std::uint64_t warmup_per_timer) {
  net::io_context ioc;
  // timer_state holds a handler_memory, which does not move: one allocation each.
  std::vector<std::unique_ptr<timer_state>> states;
  for (std::size_t i = 0; i < timers; ++i) states.push_back(std::make_unique<timer_state>(ioc));

  auto start = [&](std::uint64_t n) {
    for (const auto& s : states) {
      s->remaining = n;
      s->handled = 0;
      s->timer.expires_after(net::steady_timer::duration::zero());
      s->timer.async_wait(timer_handler<CustomAlloc>(*s));
    }
  };

  if (warmup_per_timer > 0) {
    start(warmup_per_timer);
    static_cast<void>(ioc.run());
    ioc.restart();
  }

  bench::measurement result;
  start(waits_per_timer);

  std::uint64_t fallbacks_before = 0;
  for (const auto& s : states) fallbacks_before += s->memory.fallbacks();

  const std::uint64_t allocations_before = bench::heap_allocation_count();
  const auto t0 = std::chrono::steady_clock::now();
  static_cast<void>(ioc.run());
  const auto t1 = std::chrono::steady_clock::now();
  const std::uint64_t allocations_after = bench::heap_allocation_count();

  result.seconds = std::chrono::duration<double>(t1 - t0).count();
  result.heap_allocations = allocations_after - allocations_before;
  result.complete = true;
  for (const auto& s : states) {
    result.work += s->handled;
    result.checksum += s->handled;
    result.arena_fallbacks += s->memory.fallbacks();
    if (s->handled != waits_per_timer || s->remaining != 0 || s->errors != 0) {
      result.complete = false;
    }
  }
  result.operations = result.work;  // one async_wait per completed wait
  result.arena_fallbacks -= fallbacks_before;
  return result;
}
