// Awaited reads that report into an error_code of the coroutine (as_tuple, redirect_error) are
// judged like a synchronous read's error_code out-parameter.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-unchecked-read' -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "asio_io.h"

namespace net = boost::asio;
using tcp = net::ip::tcp;
void consume(const char *data, std::size_t n);

net::awaitable<void> tuple_unchecked(tcp::socket &socket) {
  char data[512];
  for (;;) {
    auto [ec, n] = co_await socket.async_read_some(net::buffer(data), net::as_tuple(net::use_awaitable));
// CHECK-MESSAGES: :[[@LINE-1]]:36: warning: error_code 'ec' set by 'async_read_some' is not tested before 'data' is used [ES-IO-001] [errorshield-unchecked-read]
    consume(data, n);
  }
}

net::awaitable<void> tuple_checked(tcp::socket &socket) {
  char data[512];
  for (;;) {
    auto [ec, n] = co_await socket.async_read_some(net::buffer(data), net::as_tuple(net::use_awaitable));
    if (ec)
      co_return;
    consume(data, n);
  }
}

// The token kept in a constant is the same token.
const auto tuple_token = net::as_tuple(net::use_awaitable);
net::awaitable<void> tuple_constant_unchecked(tcp::socket &socket) {
  char data[512];
  for (;;) {
    auto [ec, n] = co_await socket.async_read_some(net::buffer(data), tuple_token);
// CHECK-MESSAGES: :[[@LINE-1]]:36: warning: error_code 'ec' set by 'async_read_some' is not tested before 'data' is used [ES-IO-001] [errorshield-unchecked-read]
    consume(data, n);
  }
}
net::awaitable<void> tuple_constant_checked(tcp::socket &socket) {
  char data[512];
  for (;;) {
    auto [ec, n] = co_await socket.async_read_some(net::buffer(data), tuple_token);
    if (ec)
      co_return;
    consume(data, n);
  }
}
net::awaitable<void> tuple_constant_dropped(tcp::socket &socket) {
  char data[512];
  co_await socket.async_read_some(net::buffer(data), tuple_token);
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: the result of 'async_read_some' is discarded: as_tuple hands its error_code back in that result, so an error goes unnoticed [ES-IO-001] [errorshield-unchecked-read]
}

// So is one kept in a local.
net::awaitable<void> redirected_local_unchecked(tcp::socket &socket) {
  char data[512];
  for (;;) {
    boost::system::error_code ec;
    auto token = net::redirect_error(net::use_awaitable, ec);
    std::size_t n = co_await socket.async_read_some(net::buffer(data), token);
// CHECK-MESSAGES: :[[@LINE-1]]:37: warning: error_code 'ec' set by 'async_read_some' is not tested before 'data' is used [ES-IO-001] [errorshield-unchecked-read]
    consume(data, n);
  }
}
net::awaitable<void> redirected_local_checked(tcp::socket &socket) {
  char data[512];
  boost::system::error_code ec;
  auto token = net::redirect_error(net::use_awaitable, ec);
  std::size_t n = co_await socket.async_read_some(net::buffer(data), token);
  if (ec)
    co_return;
  consume(data, n);
}

net::awaitable<void> redirected_unchecked(tcp::socket &socket) {
  char data[512];
  boost::system::error_code ec;
  for (;;) {
    std::size_t n = co_await socket.async_read_some(net::buffer(data), net::redirect_error(net::use_awaitable, ec));
// CHECK-MESSAGES: :[[@LINE-1]]:37: warning: error_code 'ec' set by 'async_read_some' is not tested before 'data' is used [ES-IO-001] [errorshield-unchecked-read]
    consume(data, n);
  }
}

net::awaitable<void> redirected_checked(tcp::socket &socket) {
  char data[512];
  boost::system::error_code ec;
  for (;;) {
    std::size_t n = co_await socket.async_read_some(net::buffer(data), net::redirect_error(net::use_awaitable, ec));
    if (ec)
      break;
    consume(data, n);
  }
}

// A stackful coroutine's `yield[ec]`: the read returns when it completes, with its outcome in ec.
void stackful_unchecked(tcp::socket &socket, net::yield_context yield) {
  char data[128];
  boost::system::error_code ec;
  for (;;) {
    socket.async_read_some(net::buffer(data), yield[ec]);
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: error_code 'ec' set by 'async_read_some' is not tested before 'data' is used [ES-IO-001] [errorshield-unchecked-read]
    consume(data, sizeof data);
  }
}
void stackful_checked(tcp::socket &socket, net::yield_context yield) {
  char data[128];
  boost::system::error_code ec;
  for (;;) {
    socket.async_read_some(net::buffer(data), yield[ec]);
    if (ec)
      return;
    consume(data, sizeof data);
  }
}

// A second read refills the error_code before the first one's is tested; the header read into a
// struct by address is the data.
struct frame_header {
  unsigned length;
};
net::awaitable<void> redirected_overwritten(tcp::socket &socket) {
  char body[512];
  boost::system::error_code ec;
  for (;;) {
    frame_header hdr{};
    co_await socket.async_read_some(net::buffer(&hdr, sizeof hdr), net::redirect_error(net::use_awaitable, ec));
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: error_code 'ec' set by 'async_read_some' is not tested before the next read overwrites it [ES-IO-001] [errorshield-unchecked-read]
    co_await socket.async_read_some(net::buffer(body), net::redirect_error(net::use_awaitable, ec));
    if (ec)
      co_return;
    consume(body, sizeof body);
  }
}
net::awaitable<void> header_used_first(tcp::socket &socket) {
  char body[512];
  boost::system::error_code ec;
  frame_header hdr{};
  co_await socket.async_read_some(net::buffer(&hdr, sizeof hdr), net::redirect_error(net::use_awaitable, ec));
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: error_code 'ec' set by 'async_read_some' is not tested before 'hdr' is used [ES-IO-001] [errorshield-unchecked-read]
  consume(body, hdr.length);
  co_await socket.async_read_some(net::buffer(&hdr, sizeof hdr), net::redirect_error(net::use_awaitable, ec));
  if (ec)
    co_return;
  consume(body, hdr.length);
}

// The awaited tuple dropped: as_tuple hands the error back in it.
net::awaitable<void> tuple_discarded(tcp::socket &socket) {
  char data[64];
  co_await socket.async_read_some(net::buffer(data), net::as_tuple(net::use_awaitable));
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: the result of 'async_read_some' is discarded: as_tuple hands its error_code back in that result, so an error goes unnoticed [ES-IO-001] [errorshield-unchecked-read]
  consume(data, sizeof data);
}

// An error_code compared only with one particular code: a reset or an end of stream reads again.
inline bool operator==(const boost::system::error_code &, int code) { return code == 0; }
constexpr int operation_aborted = 125;
net::awaitable<void> only_one_code(tcp::socket &socket) {
  char data[64];
  boost::system::error_code ec;
  for (;;) {
    co_await socket.async_read_some(net::buffer(data), net::redirect_error(net::use_awaitable, ec));
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: error_code 'ec' set by 'async_read_some' is not tested before 'data' is used [ES-IO-001] [errorshield-unchecked-read]
    if (ec == operation_aborted)
      co_return;
    consume(data, sizeof data);
  }
}
net::awaitable<void> one_code_then_any(tcp::socket &socket) {
  char data[64];
  boost::system::error_code ec;
  for (;;) {
    co_await socket.async_read_some(net::buffer(data), net::redirect_error(net::use_awaitable, ec));
    if (ec == operation_aborted)
      co_return;
    if (ec)
      break;
    consume(data, sizeof data);
  }
}
net::awaitable<void> one_code_else_any(tcp::socket &socket) {
  char data[64];
  boost::system::error_code ec;
  for (;;) {
    co_await socket.async_read_some(net::buffer(data), net::redirect_error(net::use_awaitable, ec));
    if (ec == operation_aborted)
      co_return;
    else if (ec)
      break;
    consume(data, sizeof data);
  }
}
// Dropped as an if's branch: the tuple is discarded as surely as in a statement of its own.
net::awaitable<void> dropped_in_branch(tcp::socket &socket, bool more) {
  char data[64];
  if (more)
    co_await socket.async_read_some(net::buffer(data), net::as_tuple(net::use_awaitable));
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: the result of 'async_read_some' is discarded: as_tuple hands its error_code back in that result, so an error goes unnoticed [ES-IO-001] [errorshield-unchecked-read]
  consume(data, sizeof data);
}
// Kept in a variable, or cast to void on purpose: not dropped by accident.
net::awaitable<void> kept_in_branch(tcp::socket &socket, bool more) {
  char data[64];
  if (more) {
    auto [ec, n] = co_await socket.async_read_some(net::buffer(data), net::as_tuple(net::use_awaitable));
    if (ec)
      co_return;
    consume(data, n);
  }
}
