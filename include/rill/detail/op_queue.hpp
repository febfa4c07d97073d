// rill/detail/op_queue.hpp - an intrusive FIFO of operations.
#pragma once

#include <utility>

namespace rill::detail {

// A singly linked FIFO threaded through each element's next_ member. Pushing
// and popping never allocate and never fail. A queue that is destroyed while
// it still holds operations destroys them (without invoking their handlers),
// so nothing can leak when a context is torn down mid-flight.
template <typename Operation>
class op_queue {
 public:
  op_queue() noexcept = default;
  op_queue(const op_queue&) = delete;
  op_queue& operator=(const op_queue&) = delete;
  op_queue(op_queue&& other) noexcept
      : front_(std::exchange(other.front_, nullptr)), back_(std::exchange(other.back_, nullptr)) {}

  ~op_queue() {
    while (Operation* op = pop()) op->destroy();
  }

  [[nodiscard]] bool empty() const noexcept { return front_ == nullptr; }
  [[nodiscard]] Operation* front() const noexcept { return front_; }
  [[nodiscard]] Operation* back() const noexcept { return back_; }

  void push(Operation* op) noexcept {
    op->next_ = nullptr;
    if (back_ != nullptr) {
      back_->next_ = op;
    } else {
      front_ = op;
    }
    back_ = op;
  }

  // Appends every operation of other, leaving other empty. O(1).
  void push(op_queue& other) noexcept {
    if (other.front_ == nullptr) return;
    if (back_ != nullptr) {
      back_->next_ = other.front_;
    } else {
      front_ = other.front_;
    }
    back_ = other.back_;
    other.front_ = other.back_ = nullptr;
  }

  // Puts every operation of other in front of this queue's, in their order,
  // leaving other empty. O(1).
  void push_front(op_queue& other) noexcept {
    if (other.front_ == nullptr) return;
    other.back_->next_ = front_;
    if (back_ == nullptr) back_ = other.back_;
    front_ = other.front_;
    other.front_ = other.back_ = nullptr;
  }

  // Moves the operations behind last, which must be in this queue, to the
  // back of rest. O(1).
  void split_after(Operation* last, op_queue& rest) noexcept {
    auto* next = static_cast<Operation*>(last->next_);
    if (next == nullptr) return;
    op_queue tail;
    tail.front_ = next;
    tail.back_ = back_;
    last->next_ = nullptr;
    back_ = last;
    rest.push(tail);
  }

  Operation* pop() noexcept {
    Operation* op = front_;
    if (op != nullptr) {
      front_ = static_cast<Operation*>(op->next_);
      if (front_ == nullptr) back_ = nullptr;
      op->next_ = nullptr;
    }
    return op;
  }

 private:
  Operation* front_ = nullptr;
  Operation* back_ = nullptr;
};

}  // namespace rill::detail
