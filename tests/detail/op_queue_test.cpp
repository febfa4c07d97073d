// The intrusive FIFO of operations, tested as a plain data structure.
#include <rill/detail/op_queue.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <deque>
#include <system_error>
#include <utility>
#include <vector>

#include <rill/detail/operation.hpp>

namespace {

// What happened to the test operations: completed (owner given) or destroyed
// (owner null), in order.
struct op_log {
  std::vector<int> completed;
  std::vector<int> destroyed;
};

// A stack-allocated operation whose function records how it was finished
// instead of freeing memory.
class test_op final : public rill::detail::operation {
 public:
  test_op(int id, op_log& log) : operation(&test_op::do_complete), id_(id), log_(&log) {}

  [[nodiscard]] int id() const noexcept { return id_; }

 private:
  static void do_complete(void* owner, operation* base, const std::error_code& /*ec*/,
                          std::size_t /*bytes*/) {
    auto* op = static_cast<test_op*>(base);
    if (owner != nullptr) {
      op->log_->completed.push_back(op->id_);
    } else {
      op->log_->destroyed.push_back(op->id_);
    }
  }

  int id_;
  op_log* log_;
};

using queue = rill::detail::op_queue<test_op>;

// Pops everything, returning the ids in order.
std::vector<int> drain(queue& q) {
  std::vector<int> ids;
  while (test_op* op = q.pop()) ids.push_back(op->id());
  return ids;
}

TEST(op_queue, new_queue_is_empty) {
  queue q;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.front(), nullptr);
  EXPECT_EQ(q.pop(), nullptr);
  EXPECT_TRUE(q.empty());
}

TEST(op_queue, push_pop_is_fifo) {
  op_log log;
  test_op a(1, log);
  test_op b(2, log);
  test_op c(3, log);
  queue q;
  q.push(&a);
  EXPECT_FALSE(q.empty());
  EXPECT_EQ(q.front(), &a);
  q.push(&b);
  q.push(&c);
  EXPECT_EQ(q.front(), &a);  // front does not pop
  EXPECT_EQ(q.pop(), &a);
  EXPECT_EQ(a.next_, nullptr);  // a popped operation is unlinked
  EXPECT_EQ(q.front(), &b);
  EXPECT_EQ(q.pop(), &b);
  EXPECT_EQ(q.pop(), &c);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.front(), nullptr);
  EXPECT_EQ(q.pop(), nullptr);
  EXPECT_TRUE(log.completed.empty());
  EXPECT_TRUE(log.destroyed.empty());
}

TEST(op_queue, queue_is_reusable_after_draining) {
  op_log log;
  test_op a(1, log);
  test_op b(2, log);
  queue q;
  q.push(&a);
  EXPECT_EQ(q.pop(), &a);
  EXPECT_TRUE(q.empty());
  // The back pointer was reset: pushing again starts a fresh list.
  q.push(&b);
  q.push(&a);
  EXPECT_EQ(drain(q), (std::vector<int>{2, 1}));
}

TEST(op_queue, push_clears_a_stale_link) {
  op_log log;
  test_op a(1, log);
  test_op b(2, log);
  a.next_ = &b;  // garbage from an earlier life must not leak into the queue
  queue q;
  q.push(&a);
  EXPECT_EQ(drain(q), (std::vector<int>{1}));
}

TEST(op_queue, splice_appends_and_empties_the_source) {
  op_log log;
  test_op a(1, log);
  test_op b(2, log);
  test_op c(3, log);
  test_op d(4, log);
  queue q;
  queue other;
  q.push(&a);
  q.push(&b);
  other.push(&c);
  other.push(&d);
  q.push(other);
  EXPECT_TRUE(other.empty());
  EXPECT_EQ(other.front(), nullptr);
  EXPECT_EQ(other.pop(), nullptr);
  EXPECT_EQ(drain(q), (std::vector<int>{1, 2, 3, 4}));
}

TEST(op_queue, push_front_prepends_in_order_and_empties_the_source) {
  op_log log;
  test_op a(1, log);
  test_op b(2, log);
  test_op c(3, log);
  test_op d(4, log);
  queue q;
  queue other;
  q.push(&c);
  q.push(&d);
  other.push(&a);
  other.push(&b);
  q.push_front(other);
  EXPECT_TRUE(other.empty());
  EXPECT_EQ(q.back(), &d);
  EXPECT_EQ(drain(q), (std::vector<int>{1, 2, 3, 4}));

  // Into an empty queue, and an empty source: both still consistent.
  queue empty;
  other.push(&a);
  empty.push_front(other);
  EXPECT_EQ(empty.back(), &a);
  q.push_front(other);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.back(), nullptr);
  empty.push(&b);
  EXPECT_EQ(drain(empty), (std::vector<int>{1, 2}));
}

TEST(op_queue, split_after_moves_the_tail_to_the_back_of_another_queue) {
  op_log log;
  test_op a(1, log);
  test_op b(2, log);
  test_op c(3, log);
  test_op d(4, log);
  test_op e(5, log);
  queue q;
  queue rest;
  rest.push(&e);
  q.push(&a);
  q.push(&b);
  q.push(&c);
  q.push(&d);
  q.split_after(&b, rest);
  EXPECT_EQ(q.back(), &b);
  EXPECT_EQ(rest.back(), &d);
  EXPECT_EQ(drain(rest), (std::vector<int>{5, 3, 4}));
  // Split after the last: nothing moves.
  q.split_after(&b, rest);
  EXPECT_TRUE(rest.empty());
  q.push(&c);
  EXPECT_EQ(drain(q), (std::vector<int>{1, 2, 3}));
}

TEST(op_queue, splice_into_empty_queue) {
  op_log log;
  test_op a(1, log);
  test_op b(2, log);
  test_op c(3, log);
  queue q;
  queue other;
  other.push(&a);
  other.push(&b);
  q.push(other);
  EXPECT_TRUE(other.empty());
  EXPECT_EQ(q.front(), &a);
  // The back pointer came along: a later push goes after b.
  q.push(&c);
  EXPECT_EQ(drain(q), (std::vector<int>{1, 2, 3}));
}

TEST(op_queue, splice_of_empty_queue_changes_nothing) {
  op_log log;
  test_op a(1, log);
  test_op b(2, log);
  queue q;
  queue other;
  q.push(other);
  EXPECT_TRUE(q.empty());
  q.push(&a);
  q.push(other);
  q.push(&b);
  EXPECT_EQ(drain(q), (std::vector<int>{1, 2}));
}

TEST(op_queue, source_is_reusable_after_splice) {
  op_log log;
  test_op a(1, log);
  test_op b(2, log);
  queue q;
  queue other;
  other.push(&a);
  q.push(other);
  other.push(&b);
  EXPECT_EQ(drain(other), (std::vector<int>{2}));
  EXPECT_EQ(drain(q), (std::vector<int>{1}));
}

TEST(op_queue, move_construction_takes_the_operations) {
  op_log log;
  test_op a(1, log);
  test_op b(2, log);
  queue q;
  q.push(&a);
  q.push(&b);
  queue moved(std::move(q));
  EXPECT_TRUE(q.empty());  // NOLINT(bugprone-use-after-move): specified to be empty
  EXPECT_EQ(drain(moved), (std::vector<int>{1, 2}));
}

TEST(op_queue, destructor_destroys_remaining_operations_in_order) {
  op_log log;
  test_op a(1, log);
  test_op b(2, log);
  test_op c(3, log);
  test_op d(4, log);
  {
    queue q;
    q.push(&a);
    q.push(&b);
    q.push(&c);
    q.push(&d);
    EXPECT_EQ(q.pop(), &a);  // popped: no longer the queue's business
  }
  EXPECT_TRUE(log.completed.empty());
  EXPECT_EQ(log.destroyed, (std::vector<int>{2, 3, 4}));
}

TEST(op_queue, destructor_of_empty_or_spliced_queue_destroys_nothing) {
  op_log log;
  test_op a(1, log);
  queue q;
  {
    queue other;
    other.push(&a);
    q.push(other);
    queue empty;
  }
  EXPECT_TRUE(log.destroyed.empty());
  EXPECT_EQ(q.pop(), &a);
}

TEST(op_queue, complete_and_destroy_reach_the_operation_function) {
  op_log log;
  test_op a(1, log);
  test_op b(2, log);
  int owner = 0;
  a.complete(&owner, std::error_code(), 0);
  b.destroy();
  EXPECT_EQ(log.completed, (std::vector<int>{1}));
  EXPECT_EQ(log.destroyed, (std::vector<int>{2}));
}

TEST(op_queue, many_operations_keep_fifo_order) {
  op_log log;
  std::deque<test_op> ops;  // operations are not movable; a deque never moves them
  for (int i = 0; i < 1000; ++i) ops.emplace_back(i, log);
  queue q;
  queue other;
  // Even ids into q, odd ids into other, then other spliced after q.
  for (auto& op : ops) (op.id() % 2 == 0 ? q : other).push(&op);
  q.push(other);
  const std::vector<int> ids = drain(q);
  ASSERT_EQ(ids.size(), 1000u);
  for (std::size_t i = 0; i < 500; ++i) {
    EXPECT_EQ(ids[i], static_cast<int>(2 * i));
    EXPECT_EQ(ids[500 + i], static_cast<int>(2 * i + 1));
  }
}

}  // namespace
