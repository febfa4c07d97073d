// rill/posix/basic_descriptor.hpp - what every POSIX descriptor can do.
#pragma once

#include <concepts>
#include <system_error>
#include <utility>

#include <rill/any_io_executor.hpp>
#include <rill/async_result.hpp>
#include <rill/detail/reactive_descriptor_service.hpp>
#include <rill/detail/throw_error.hpp>
#include <rill/error.hpp>
#include <rill/execution_context.hpp>
#include <rill/posix/descriptor_base.hpp>
#include <rill/socket_base.hpp>

namespace rill::posix {

// A file descriptor that is not a socket (a pipe, a terminal, a character
// device), as Asio's posix::basic_descriptor. The object owns the
// descriptor: it closes it on close() and destruction, unless release()
// gave it back. Assigning leaves the descriptor's flags alone; the first
// asynchronous operation makes it non-blocking, as in Asio (so a descriptor
// shared with other processes, such as stdin, becomes non-blocking for them
// too: assign a dup() of it).
//
// Every synchronous operation comes in two forms: one throws
// rill::system_error, the other reports through an error_code&.
// Asynchronous operations take their memory from the handler's associated
// allocator and free it before the handler runs; close, cancel and release
// complete them with error::operation_aborted. Not thread-safe: one object
// must not be used from two threads at once.
template <typename Executor = any_io_executor>
class basic_descriptor : public descriptor_base {
 protected:
  using service_type = detail::reactive_descriptor_service;

 public:
  using executor_type = Executor;
  using native_handle_type = service_type::native_handle_type;
  using lowest_layer_type = basic_descriptor;

  template <typename OtherExecutor>
  struct rebind_executor {
    using other = basic_descriptor<OtherExecutor>;
  };

  explicit basic_descriptor(const executor_type& ex)
      : executor_(ex), service_(&use_service<service_type>(ex.context())) {
    service_->construct(impl_);
  }

  template <typename ExecutionContext>
  requires std::derived_from<ExecutionContext, execution_context>
  explicit basic_descriptor(ExecutionContext& ctx)
      : basic_descriptor(executor_type(ctx.get_executor())) {}

  // Takes ownership of native_descriptor.
  basic_descriptor(const executor_type& ex, const native_handle_type& native_descriptor)
      : basic_descriptor(ex) {
    assign(native_descriptor);
  }

  template <typename ExecutionContext>
  requires std::derived_from<ExecutionContext, execution_context> basic_descriptor(
      ExecutionContext& ctx, const native_handle_type& native_descriptor)
      : basic_descriptor(executor_type(ctx.get_executor()), native_descriptor) {}

  // Moving transfers the descriptor and its pending operations.
  basic_descriptor(basic_descriptor&& other) noexcept
      : executor_(other.executor_), service_(other.service_) {
    service_->move_construct(impl_, other.impl_);
  }

  basic_descriptor& operator=(basic_descriptor&& other) {
    if (this != &other) {
      service_->move_assign(impl_, *other.service_, other.impl_);
      executor_ = other.executor_;
      service_ = other.service_;
    }
    return *this;
  }

  // From the same kind of object with another executor type (as_default_on).
  template <typename OtherExecutor>
  requires std::constructible_from<Executor, const OtherExecutor&> basic_descriptor(
      basic_descriptor<OtherExecutor>&& other)
      : executor_(other.executor_), service_(other.service_) {
    service_->move_construct(impl_, other.impl_);
  }

  template <typename OtherExecutor>
  requires std::constructible_from<Executor, const OtherExecutor&> basic_descriptor& operator=(
      basic_descriptor<OtherExecutor>&& other) {
    service_->move_assign(impl_, *other.service_, other.impl_);
    executor_ = other.executor_;
    service_ = other.service_;
    return *this;
  }

  basic_descriptor(const basic_descriptor&) = delete;
  basic_descriptor& operator=(const basic_descriptor&) = delete;

  [[nodiscard]] executor_type get_executor() noexcept { return executor_; }

  lowest_layer_type& lowest_layer() noexcept { return *this; }
  const lowest_layer_type& lowest_layer() const noexcept { return *this; }

  // Takes ownership of native_descriptor; fails with already_open if the
  // object has one.
  void assign(const native_handle_type& native_descriptor) {
    std::error_code ec;
    service_->assign(impl_, native_descriptor, ec);
    detail::throw_error(ec, "assign");
  }
  std::error_code assign(const native_handle_type& native_descriptor, std::error_code& ec) {
    return service_->assign(impl_, native_descriptor, ec);
  }

  [[nodiscard]] bool is_open() const noexcept { return service_->is_open(impl_); }

  // Closes the descriptor; pending operations complete with operation_aborted.
  void close() {
    std::error_code ec;
    service_->close(impl_, ec);
    detail::throw_error(ec, "close");
  }
  std::error_code close(std::error_code& ec) { return service_->close(impl_, ec); }

  native_handle_type native_handle() { return service_->native_handle(impl_); }

  // Gives up ownership of the descriptor (-1 if there is none); pending
  // operations complete with operation_aborted.
  native_handle_type release() { return service_->release(impl_); }

  // Completes every pending operation with operation_aborted.
  void cancel() {
    std::error_code ec;
    service_->cancel(impl_, ec);
    detail::throw_error(ec, "cancel");
  }
  std::error_code cancel(std::error_code& ec) { return service_->cancel(impl_, ec); }

  template <typename IoControlCommand>
  void io_control(IoControlCommand& command) {
    std::error_code ec;
    service_->io_control(impl_, command, ec);
    detail::throw_error(ec, "io_control");
  }
  template <typename IoControlCommand>
  std::error_code io_control(IoControlCommand& command, std::error_code& ec) {
    return service_->io_control(impl_, command, ec);
  }

  // Whether synchronous operations fail with would_block instead of blocking.
  [[nodiscard]] bool non_blocking() const { return service_->non_blocking(impl_); }
  void non_blocking(bool mode) {
    std::error_code ec;
    service_->non_blocking(impl_, mode, ec);
    detail::throw_error(ec, "non_blocking");
  }
  std::error_code non_blocking(bool mode, std::error_code& ec) {
    return service_->non_blocking(impl_, mode, ec);
  }

  // The descriptor's own O_NONBLOCK, as rill last set it.
  [[nodiscard]] bool native_non_blocking() const { return service_->native_non_blocking(impl_); }
  void native_non_blocking(bool mode) {
    std::error_code ec;
    service_->native_non_blocking(impl_, mode, ec);
    detail::throw_error(ec, "native_non_blocking");
  }
  std::error_code native_non_blocking(bool mode, std::error_code& ec) {
    return service_->native_non_blocking(impl_, mode, ec);
  }

  // Blocks until the descriptor is ready to read, to write, or has an error.
  void wait(wait_type w) {
    std::error_code ec;
    service_->wait(impl_, to_socket_wait(w), ec);
    detail::throw_error(ec, "wait");
  }
  std::error_code wait(wait_type w, std::error_code& ec) {
    return service_->wait(impl_, to_socket_wait(w), ec);
  }

  // Waits for readiness. Completion signature: void(std::error_code).
  template <typename WaitToken>
  decltype(auto) async_wait(wait_type w, WaitToken&& token) {
    return async_initiate<WaitToken, void(std::error_code)>(initiate_async_wait(this), token, w);
  }

 protected:
  // Closes the descriptor; pending operations complete with operation_aborted.
  ~basic_descriptor() { service_->destroy(impl_); }

  template <typename>
  friend class basic_descriptor;

  executor_type executor_;
  service_type* service_;
  typename service_type::implementation_type impl_;

 private:
  // The shared service speaks socket_base's wait_type, whose values are the same.
  static_assert(static_cast<int>(wait_read) == static_cast<int>(socket_base::wait_read) &&
                static_cast<int>(wait_write) == static_cast<int>(socket_base::wait_write) &&
                static_cast<int>(wait_error) == static_cast<int>(socket_base::wait_error));
  static socket_base::wait_type to_socket_wait(wait_type w) noexcept {
    return static_cast<socket_base::wait_type>(static_cast<int>(w));
  }

  class initiate_async_wait {
   public:
    using executor_type = Executor;

    explicit initiate_async_wait(basic_descriptor* self) : self_(self) {}
    [[nodiscard]] executor_type get_executor() const noexcept { return self_->executor_; }

    template <typename WaitHandler>
    void operator()(WaitHandler&& handler, wait_type w) const {
      self_->service_->async_wait(self_->impl_, to_socket_wait(w),
                                  std::forward<WaitHandler>(handler), self_->executor_);
    }

   private:
    basic_descriptor* self_;
  };
};

}  // namespace rill::posix
