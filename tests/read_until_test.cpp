// rill::read_until and rill::async_read_until: delimiters split across
// reads, leftover data kept for the next call, the full-buffer and
// end-of-stream failures, and every step's memory from the handler.
#include <rill/read_until.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <istream>
#include <stdexcept>
#include <string>
#include <string_view>

#include <rill/bind_allocator.hpp>
#include <rill/error.hpp>
#include <rill/io_context.hpp>
#include <rill/streambuf.hpp>
#include <rill/system_error.hpp>

#include "support/counting_allocator.hpp"
#include "support/fake_stream.hpp"

namespace {

using rill_test::fake_stream;

struct result {
  int calls = 0;
  rill::error_code ec;
  std::size_t n = 0;
};

auto record(result& r) {
  return [&r](const rill::error_code& ec, std::size_t n) {
    ++r.calls;
    r.ec = ec;
    r.n = n;
  };
}

// A DynamicBuffer_v1 (and not v2) whose readable bytes are two buffers, so
// that the searches over buffer sequences (rather than one contiguous
// buffer) are exercised. The bytes live in a string the test owns.
class split_buffer {
 public:
  using const_buffers_type = std::array<rill::const_buffer, 2>;
  using mutable_buffers_type = rill::mutable_buffer;

  explicit split_buffer(std::string& storage, std::size_t max_size = 4096)
      : storage_(&storage), size_(storage.size()), max_size_(max_size) {}

  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::size_t max_size() const { return max_size_; }
  [[nodiscard]] std::size_t capacity() const { return storage_->capacity(); }

  [[nodiscard]] const_buffers_type data() const {
    const std::size_t half = size_ / 2;
    return {rill::const_buffer(storage_->data(), half),
            rill::const_buffer(storage_->data() + half, size_ - half)};
  }

  mutable_buffers_type prepare(std::size_t n) {
    if (size_ + n > max_size_) throw std::length_error("split_buffer");
    storage_->resize(size_ + n);
    return rill::mutable_buffer(storage_->data() + size_, n);
  }

  void commit(std::size_t n) {
    size_ += std::min(n, storage_->size() - size_);
    storage_->resize(size_);
  }

  void consume(std::size_t n) {
    n = std::min(n, size_);
    storage_->erase(0, n);
    size_ -= n;
  }

 private:
  std::string* storage_;
  std::size_t size_;
  std::size_t max_size_;
};

static_assert(rill::dynamic_buffer_v1<split_buffer>);
static_assert(!rill::dynamic_buffer_v2<split_buffer>);

// ---------------------------------------------------------------------------
// The searches

// The answer read_until's search must give: the end of the first full match
// at or after start, else the first position from which the rest of the text
// is a proper prefix of the delimiter, else the end of the text.
rill::detail::delimiter_search reference_search(std::string_view text, std::string_view delim,
                                                std::size_t start) {
  for (std::size_t i = start; i < text.size(); ++i) {
    const std::string_view rest = text.substr(i);
    if (rest.starts_with(delim)) return {true, i + delim.size()};
    if (delim.starts_with(rest)) return {false, i};
  }
  return {false, text.size()};
}

TEST(read_until_search, contiguous_and_split_searches_agree_with_the_reference) {
  const std::string_view texts[] = {"",       "a",          "\r\n",       "ab\r",
                                    "abab\r", "x\r\ny\r\n", "aabaababaa", "\r\r\n\r\n"};
  const std::string_view delims[] = {"\r\n", "aba", "abab", "a", "\r\n\r\n", ""};
  for (std::string_view text : texts) {
    for (std::string_view delim : delims) {
      const rill::detail::string_delimiter<std::string_view> search(delim);
      for (std::size_t start = 0; start <= text.size(); ++start) {
        const auto expected = reference_search(text, delim, start);
        const auto contiguous = search(rill::buffer(text), start);
        EXPECT_EQ(contiguous.found, expected.found) << text << " / " << delim << " @" << start;
        EXPECT_EQ(contiguous.position, expected.position)
            << text << " / " << delim << " @" << start;
        for (std::size_t split = 0; split <= text.size(); ++split) {
          const std::array<rill::const_buffer, 2> two = {rill::buffer(text.substr(0, split)),
                                                         rill::buffer(text.substr(split))};
          const auto split_result = search(two, start);
          EXPECT_EQ(split_result.found, expected.found) << text << " / " << delim << " @" << start;
          EXPECT_EQ(split_result.position, expected.position)
              << text << " / " << delim << " @" << start << " split " << split;
        }
      }
      if (delim.size() == 1) {
        const rill::detail::char_delimiter c(delim[0]);
        for (std::size_t start = 0; start <= text.size(); ++start) {
          const auto expected = reference_search(text, delim, start);
          const auto contiguous = c(rill::buffer(text), start);
          EXPECT_EQ(contiguous.found, expected.found);
          EXPECT_EQ(contiguous.position, expected.position);
          const std::size_t cut = std::min<std::size_t>(1, text.size());
          const std::array<rill::const_buffer, 2> two = {rill::buffer(text.substr(0, cut)),
                                                         rill::buffer(text.substr(cut))};
          const auto split_result = c(two, start);
          EXPECT_EQ(split_result.found, expected.found);
          EXPECT_EQ(split_result.position, expected.position);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Synchronous

TEST(read_until, char_and_string_delimiters_with_leftover_kept) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), "key: value\r\nnext", 5);
  std::string str;
  EXPECT_EQ(rill::read_until(s, rill::dynamic_buffer(str), ':'), 4u);
  EXPECT_EQ(str, "key: ");  // the read brought a byte more than the match
  EXPECT_EQ(rill::read_until(s, rill::dynamic_buffer(str), "\r\n"), 12u);
  EXPECT_EQ(str, "key: value\r\nnex");
  rill::dynamic_buffer(str).consume(12);
  rill::error_code ec;
  EXPECT_EQ(rill::read_until(s, rill::dynamic_buffer(str), "\r\n", ec), 0u);
  EXPECT_EQ(ec, rill::error::eof);
  EXPECT_EQ(str, "next");
  try {
    (void)rill::read_until(s, rill::dynamic_buffer(str), '\n');
    ADD_FAILURE() << "read_until did not throw";
  } catch (const rill::system_error& e) {
    EXPECT_EQ(e.code(), rill::error::eof);
  }
}

TEST(read_until, streambuf_and_a_full_buffer) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), "first line\nsecond", 3);
  rill::streambuf sb;
  EXPECT_EQ(rill::read_until(s, sb, '\n'), 11u);
  std::istream is(&sb);
  std::string line;
  std::getline(is, line);
  EXPECT_EQ(line, "first line");

  fake_stream t(ioc.get_executor(), "no delimiter here", 3);
  rill::streambuf small(8);
  rill::error_code ec;
  EXPECT_EQ(rill::read_until(t, small, "\r\n", ec), 0u);
  EXPECT_EQ(ec, rill::error::not_found);
  EXPECT_EQ(small.size(), 8u);
}

// ---------------------------------------------------------------------------
// Asynchronous

TEST(async_read_until, one_byte_chunks_stop_at_the_delimiter) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), "hello\nworld", 1);
  std::string str;
  result r;
  rill::async_read_until(s, rill::dynamic_buffer(str), '\n', record(r));
  EXPECT_EQ(r.calls, 0);
  EXPECT_EQ(ioc.run(), 6u);
  EXPECT_EQ(r.calls, 1);
  EXPECT_FALSE(r.ec);
  EXPECT_EQ(r.n, 6u);
  EXPECT_EQ(str, "hello\n");
}

TEST(async_read_until, leftover_data_stays_in_the_buffer_for_the_next_call) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), "hello\nworld", 4);
  std::string str;
  result r;
  rill::async_read_until(s, rill::dynamic_buffer(str), '\n', record(r));
  EXPECT_EQ(ioc.run(), 2u);
  EXPECT_EQ(r.n, 6u);
  EXPECT_EQ(str, "hello\nwo");
  rill::dynamic_buffer(str).consume(r.n);
  EXPECT_EQ(str, "wo");

  result again;
  ioc.restart();
  rill::async_read_until(s, rill::dynamic_buffer(str), '\n', record(again));
  EXPECT_EQ(ioc.run(), 2u);  // "rld", then eof
  EXPECT_EQ(again.ec, rill::error::eof);
  EXPECT_EQ(again.n, 0u);
  EXPECT_EQ(str, "world");  // what was read is kept
}

TEST(async_read_until, a_string_delimiter_split_across_chunks_is_found) {
  const std::string input = "GET / HTTP/1.0\r\nHost: x\r\n\r\nbody";
  const std::size_t header_end = input.find("\r\n\r\n") + 4;
  for (std::size_t chunk = 1; chunk <= 8; ++chunk) {
    rill::io_context ioc;
    fake_stream s(ioc.get_executor(), input, chunk);
    std::string str;
    result r;
    rill::async_read_until(s, rill::dynamic_buffer(str), std::string("\r\n\r\n"), record(r));
    ioc.run();
    EXPECT_EQ(r.calls, 1) << "chunk " << chunk;
    EXPECT_FALSE(r.ec) << "chunk " << chunk;
    EXPECT_EQ(r.n, header_end) << "chunk " << chunk;
    EXPECT_EQ(str.substr(0, header_end), input.substr(0, header_end)) << "chunk " << chunk;
    EXPECT_EQ(s.read_calls(), static_cast<int>((header_end + chunk - 1) / chunk))
        << "chunk " << chunk;
  }
}

TEST(async_read_until, a_buffered_delimiter_reads_nothing_but_completes_outside) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), "xyz", 1);
  std::string str = "abc\ndef";
  result r;
  rill::async_read_until(s, rill::dynamic_buffer(str), '\n', record(r));
  EXPECT_EQ(r.calls, 0);
  EXPECT_EQ(ioc.run(), 1u);
  EXPECT_EQ(r.calls, 1);
  EXPECT_FALSE(r.ec);
  EXPECT_EQ(r.n, 4u);
  EXPECT_EQ(s.read_calls(), 1);  // one read of 0 bytes, to complete through the stream
  EXPECT_EQ(s.last_read_request(), 0u);
  EXPECT_EQ(s.remaining(), 3u);
  EXPECT_EQ(str, "abc\ndef");
}

TEST(async_read_until, a_full_buffer_without_the_delimiter_is_not_found) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), "abcdefghijkl", 3);
  std::string str;
  result r;
  rill::async_read_until(s, rill::dynamic_buffer(str, 8), "\r\n", record(r));
  EXPECT_EQ(ioc.run(), 3u);
  EXPECT_EQ(r.ec, rill::error::not_found);
  EXPECT_EQ(r.n, 0u);
  EXPECT_EQ(str, "abcdefgh");
}

TEST(async_read_until, streambuf_lines_with_string_then_char_delimiters) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), "line one\r\nline two\r\n", 5);
  rill::streambuf sb;
  result r;
  rill::async_read_until(s, sb, "\r\n", record(r));
  ioc.run();
  EXPECT_EQ(r.n, 10u);
  std::istream is(&sb);
  std::string line;
  std::getline(is, line);
  EXPECT_EQ(line, "line one\r");

  result r2;
  ioc.restart();
  rill::async_read_until(s, sb, '\n', record(r2));
  ioc.run();
  EXPECT_FALSE(r2.ec);
  EXPECT_EQ(r2.n, 10u);
  std::getline(is, line);
  EXPECT_EQ(line, "line two\r");
}

TEST(async_read_until, a_multi_buffer_v1_dynamic_buffer_is_searched_across_its_buffers) {
  rill::io_context ioc;
  fake_stream s(ioc.get_executor(), "alpha--beta--gamma", 3);
  std::string storage;
  result r;
  rill::async_read_until(s, split_buffer(storage), "--", record(r));
  ioc.run();
  EXPECT_FALSE(r.ec);
  EXPECT_EQ(r.n, 7u);
  EXPECT_EQ(storage, "alpha--be");  // "alp", "ha-" (a partial match), "-be"

  storage.erase(0, 7);
  result r2;
  ioc.restart();
  rill::async_read_until(s, split_buffer(storage), '-', record(r2));
  ioc.run();
  EXPECT_EQ(r2.n, 5u);
  EXPECT_EQ(storage.substr(0, 5), "beta-");

  std::string sync_storage;
  fake_stream t(ioc.get_executor(), "one;two", 2);
  EXPECT_EQ(rill::read_until(t, split_buffer(sync_storage), ';'), 4u);
  rill::error_code ec;
  EXPECT_EQ(rill::read_until(t, split_buffer(sync_storage, 6), "!!", ec), 0u);
  EXPECT_EQ(ec, rill::error::not_found);
}

TEST(async_read_until, every_step_allocates_from_the_handler_allocator_one_block_at_a_time) {
  rill::io_context ioc;
  const std::string input = std::string(50, '.') + "\n";
  fake_stream s(ioc.get_executor(), input, 1);
  rill_test::allocation_log log;
  int max_live = 0;
  int starts = 0;
  s.on_async_start = [&] {
    ++starts;
    max_live = std::max(max_live, log.live());
  };
  std::string str;
  result r;
  rill::async_read_until(s, rill::dynamic_buffer(str), '\n',
                         rill::bind_allocator(rill_test::counting_allocator<char>(log), record(r)));
  EXPECT_EQ(ioc.run(), input.size());
  EXPECT_EQ(r.n, input.size());
  EXPECT_EQ(starts, static_cast<int>(input.size()));
  EXPECT_EQ(log.allocations.load(), static_cast<int>(input.size()));
  EXPECT_EQ(max_live, 1);
  EXPECT_EQ(log.live(), 0);
}

}  // namespace
