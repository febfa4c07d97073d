// rill/io_context_strand.hpp - the legacy strand of an io_context.
#pragma once

#include <type_traits>
#include <utility>

#include <rill/associated_allocator.hpp>
#include <rill/async_result.hpp>
#include <rill/detail/wrapped_handler.hpp>
#include <rill/io_context.hpp>
#include <rill/strand.hpp>

namespace rill {

// Asio's io_context::strand: runs handlers on an io_context one at a time,
// in the order they were submitted. It is rill::strand on the io_context's
// executor under the older interface (context() is the io_context; wrap();
// post/dispatch taking just a handler), so both kinds share one
// implementation. Unlike Asio's, two separately made strands never share
// state: Asio picks each one from a fixed pool of 193, so unrelated legacy
// strands there may wait for each other.
class io_context::strand {
 public:
  explicit strand(io_context& ctx) : strand_(ctx.get_executor()) {}

  [[nodiscard]] io_context& context() const noexcept {
    return strand_.get_inner_executor().context();
  }

  void on_work_started() const noexcept { context().get_executor().on_work_started(); }
  void on_work_finished() const noexcept { context().get_executor().on_work_finished(); }

  // Runs f inside this call if the caller is running in this strand, or if
  // the strand is idle and the caller is running the io_context; otherwise
  // queues it with memory from a.
  template <typename Function, typename Allocator>
  void dispatch(Function&& f, const Allocator& a) const {
    strand_.dispatch(std::forward<Function>(f), a);
  }

  // Queues f with memory from a; never runs it inside this call.
  template <typename Function, typename Allocator>
  void post(Function&& f, const Allocator& a) const {
    strand_.post(std::forward<Function>(f), a);
  }

  // As post, hinting that f continues the caller.
  template <typename Function, typename Allocator>
  void defer(Function&& f, const Allocator& a) const {
    strand_.defer(std::forward<Function>(f), a);
  }

  // Deprecated in Asio, kept for source compatibility: dispatch/post a
  // handler (memory from its associated allocator). Completion signature
  // void().
  template <typename LegacyCompletionHandler>
  decltype(auto) dispatch(LegacyCompletionHandler&& handler) {
    return async_initiate<LegacyCompletionHandler, void()>(initiate_dispatch{this}, handler);
  }

  template <typename LegacyCompletionHandler>
  decltype(auto) post(LegacyCompletionHandler&& handler) {
    return async_initiate<LegacyCompletionHandler, void()>(initiate_post{this}, handler);
  }

  // A handler that, when called with some arguments, dispatches handler with
  // those arguments through this strand. Deprecated in Asio in favour of
  // bind_executor(strand, handler).
  template <typename Handler>
  [[nodiscard]] detail::wrapped_handler<strand, std::decay_t<Handler>> wrap(Handler&& handler) {
    return detail::wrapped_handler<strand, std::decay_t<Handler>>(*this,
                                                                  std::forward<Handler>(handler));
  }

  // True if the calling thread is running a handler of this strand.
  [[nodiscard]] bool running_in_this_thread() const noexcept {
    return strand_.running_in_this_thread();
  }

  friend bool operator==(const strand& a, const strand& b) noexcept {
    return a.strand_ == b.strand_;
  }

 private:
  struct initiate_dispatch {
    strand* self;
    template <typename Handler>
    void operator()(Handler&& handler) const {
      auto alloc = get_associated_allocator(handler);
      self->strand_.dispatch(std::forward<Handler>(handler), alloc);
    }
  };

  struct initiate_post {
    strand* self;
    template <typename Handler>
    void operator()(Handler&& handler) const {
      auto alloc = get_associated_allocator(handler);
      self->strand_.post(std::forward<Handler>(handler), alloc);
    }
  };

  rill::strand<io_context::executor_type> strand_;
};

}  // namespace rill
