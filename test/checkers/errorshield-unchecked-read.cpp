// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-unchecked-read' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --fix --checks='-*,errorshield-unchecked-read' -- -std=c++20 -nostdinc++ -isystem %mocks
// RUN: FileCheck %s --check-prefix=CHECK-FIXES --input-file=%t.cpp
// RUN: %clangxx -fsyntax-only -std=c++20 -nostdinc++ -isystem %mocks %t.cpp

#include "reads.h"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::system::error_code;

// ---- 1. Discarded results ----

void discarded(int fd, FILE *f) {
  char buf[64];
  char *line = nullptr;
  size_t cap = 0;
  read(fd, buf, sizeof buf);
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: the result of 'read' is discarded: an error or the end of the stream goes unnoticed [ES-IO-001] [errorshield-unchecked-read]
  (void)recv(fd, buf, sizeof buf, 0);
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: the result of 'recv' is discarded: an error or the end of the stream goes unnoticed [ES-IO-001] [errorshield-unchecked-read]
  fgets(buf, sizeof buf, f);
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: the result of 'fgets' is discarded: an error or the end of the stream goes unnoticed [ES-IO-001] [errorshield-unchecked-read]
  getline(&line, &cap, f);
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: the result of 'getline' is discarded: an error or the end of the stream goes unnoticed [ES-IO-001] [errorshield-unchecked-read]
  if (fd > 0)
    fread(buf, 1, sizeof buf, f);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: the result of 'fread' is discarded: an error or the end of the stream goes unnoticed [ES-IO-001] [errorshield-unchecked-read]
  write(fd, buf, 1);
}

// ---- 2. End of stream never told apart from data ----

void relay_spins(int in, int out) {
  char buf[256];
  for (;;) {
    ssize_t n = read(in, buf, sizeof buf);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: the result of 'read' is never told apart from 0 (end of stream): at end of stream the code carries on as if data had arrived [ES-IO-001] [errorshield-unchecked-read]
    if (n < 0)
      return;
    write(out, buf, n);
  }
}

void relay_loop_minus_one(int in, int out) {
  char buf[256];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) != -1)
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: the result of 'read' is never told apart from 0 (end of stream): at end of stream the code carries on as if data had arrived [ES-IO-001] [errorshield-unchecked-read]
    write(out, buf, n);
}

void direct_compare(int fd) {
  char c;
  if (recv(fd, &c, 1, 0) < 0)
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: the result of 'recv' is never told apart from 0 (end of stream): at end of stream the code carries on as if data had arrived [ES-IO-001] [errorshield-unchecked-read]
    return;
  process(&c, 1);
}

void relay_ok(int in, int out) {
  char buf[256];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0)
    write(out, buf, n);
}

void exact_ok(int fd) {
  char hdr[8];
  if (read(fd, hdr, sizeof hdr) != sizeof hdr)
    return;
  ssize_t n = recv(fd, hdr, 8, 0);
  if (n <= 0)
    return;
  ssize_t m = read(fd, hdr, 8);
  if (m == -1 || m == 0)
    return;
  process(hdr, n + m);
}

namespace std {
template <class T, class U> constexpr bool cmp_less(T, U) noexcept;
template <class T, class U> constexpr bool cmp_equal(T, U) noexcept;
} // namespace std

// A cast to another integer type, or a C++20 safe comparison, keeps the count.
void exact_with_casts(int fd) {
  char hdr[8];
  ssize_t n = read(fd, hdr, sizeof hdr);
  if (static_cast<size_t>(n) != sizeof hdr)
    return;
  ssize_t m = recv(fd, hdr, 1, 0);
  if ((int)m <= 0)
    return;
  ssize_t k = read(fd, hdr, sizeof hdr);
  if (std::cmp_less(k, sizeof hdr))
    return;
  process(hdr, n + m + k);
}

void casts_that_lump_zero(int fd) {
  char hdr[8];
  ssize_t n = read(fd, hdr, sizeof hdr);
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: the result of 'read' is never told apart from 0 (end of stream): at end of stream the code carries on as if data had arrived [ES-IO-001] [errorshield-unchecked-read]
  if (static_cast<long>(n) < 0)
    return;
  ssize_t m = read(fd, hdr, sizeof hdr);
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: the result of 'read' is never told apart from 0 (end of stream): at end of stream the code carries on as if data had arrived [ES-IO-001] [errorshield-unchecked-read]
  if (std::cmp_equal(m, -1))
    return;
  process(hdr, n + m);
}

ssize_t read_some_bytes(int fd, char *buf) {
  ssize_t n = read(fd, buf, 16);
  return n;
}

struct Reader {
  ssize_t last;
  void pull(int fd, char *buf) { last = read(fd, buf, 16); }
};

void files(FILE *f) {
  char buf[64];
  char *line = nullptr;
  size_t cap = 0;
  if (fread(buf, 1, sizeof buf, f))
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: the result of 'fread' is only tested for nonzero: a short read passes as a complete one [ES-IO-001] [errorshield-unchecked-read]
    process(buf, sizeof buf);
  if (fread(buf, sizeof buf, 1, f) != 0)
    process(buf, sizeof buf);
  size_t got = fread(buf, 1, sizeof buf, f);
  process(buf, got);
  while (getline(&line, &cap, f) != -1)
    process(line, 1);
  if (fgets(buf, sizeof buf, f) == nullptr)
    return;
}

// ---- 3. error_code out-parameters ----

void sync_reads(net::ip::tcp::socket &sock, websocket::stream<int> &ws, beast::flat_buffer &fb) {
  char data[128];
  error_code ec;
  size_t n = sock.read_some(net::buffer(data, sizeof data), ec);
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: error_code 'ec' set by 'read_some' is not tested before 'data' is used [ES-IO-001] [errorshield-unchecked-read]
  process(data, n);
  if (ec)
    return;
  ws.read(fb, ec);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: error_code 'ec' set by 'read' is not tested before the next read overwrites it [ES-IO-001] [errorshield-unchecked-read]
  ws.read(fb, ec);
  if (ec)
    return;
  error_code ec2;
  net::read(sock, net::buffer(data), ec2);
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: error_code 'ec2' set by 'read' is not tested before 'data' is used [ES-IO-001] [errorshield-unchecked-read]
  error_code ec3;
  size_t m = sock.read_some(net::buffer(data, sizeof data), ec3);
  if (ec3)
    return;
  process(data, m);
  ws.read(fb);
}

void sync_loop(net::ip::tcp::socket &sock) {
  char data[128];
  error_code ec;
  for (int i = 0; i < 3; ++i) {
    sock.read_some(net::buffer(data, sizeof data), ec);
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: error_code 'ec' set by 'read_some' is not tested before the end of the loop body [ES-IO-001] [errorshield-unchecked-read]
  }
  if (ec)
    return;
}

void tested_in_conditions(net::ip::tcp::socket &sock) {
  char data[128];
  error_code ec;
  do {
    sock.read_some(net::buffer(data, sizeof data), ec);
  } while (!ec);
  while (sock.read_some(net::buffer(data, sizeof data), ec) > 0 && !ec)
    process(data, 1);
}

bool relay_once(int in, int out) {
  char buf[64];
  ssize_t n = read(in, buf, sizeof buf);
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: the result of 'read' is never told apart from 0 (end of stream): at end of stream the code carries on as if data had arrived [ES-IO-001] [errorshield-unchecked-read]
  if (n < 0)
    return false;
  return write(out, buf, n) == n;
}

template <class Stream> size_t read_frame(Stream &s, char *data) {
  error_code ec;
  size_t n = net::read(s, net::buffer(data, 16), ec);
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: error_code 'ec' set by 'read' is not tested before 'n' is used [ES-IO-001] [errorshield-unchecked-read]
  return n;
}
template size_t read_frame(net::ip::tcp::socket &, char *);

void caller_checks(net::ip::tcp::socket &sock, error_code &ec) {
  char data[128];
  sock.read_some(net::buffer(data, sizeof data), ec);
}

// ---- 4. Completion handlers ----

void fail(error_code, const char *);

class Session {
public:
  void start() {
    ws_.async_accept(beast::bind_front_handler(&Session::on_accept, this));
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: the completion handler of 'async_accept' carries on after a failed read: 'if (ec.failed())' does not return on the error path [ES-IO-001] [errorshield-unchecked-read]
// CHECK-MESSAGES: :354:5: note: the error branch falls through to the code after it
  }
  void read_unbraced() {
    ws_.async_read(buffer_, beast::bind_front_handler(&Session::on_read, this));
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: the completion handler of 'async_read' carries on after a failed read: 'if (ec)' does not return on the error path [ES-IO-001] [errorshield-unchecked-read]
// CHECK-MESSAGES: :360:5: note: the error branch falls through to the code after it
  }
  void read_again() {
    ws_.async_read(buffer_, beast::bind_front_handler(&Session::on_read, this));
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: the completion handler of 'async_read' carries on after a failed read: 'if (ec)' does not return on the error path [ES-IO-001] [errorshield-unchecked-read]
// CHECK-MESSAGES: :360:5: note: the error branch falls through to the code after it
  }
  void read_braced() {
    ws_.async_read(buffer_, net::bind_executor(strand_, std::bind(&Session::on_read_braced, this,
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: the completion handler of 'async_read' carries on after a failed read: 'if (ec)' does not return on the error path [ES-IO-001] [errorshield-unchecked-read]
// CHECK-MESSAGES: :364:5: note: the error branch falls through to the code after it
                                                                   std::placeholders::_1,
                                                                   std::placeholders::_2)));
  }
  void read_counted() {
    ws_.async_read(buffer_, [this](error_code ec, size_t) {
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: the completion handler of 'async_read' carries on after a failed read: 'if (ec)' does not return on the error path [ES-IO-001] [errorshield-unchecked-read]
// CHECK-MESSAGES: :245:7: note: the error branch falls through to the code after it
      if (ec) ++errors_;
      buffer_.consume(1);
    });
  }
  void drain() {
    ws_.async_read(buffer_, [this](error_code, size_t) { drain(); });
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: the completion handler of 'async_read' never examines its error_code: a failed read is handled like a successful one [ES-IO-001] [errorshield-unchecked-read]
// CHECK-MESSAGES: :[[@LINE-2]]:46: note: the handler's error_code parameter
  }
  void drain_named() {
    ws_.async_read(buffer_, [this](error_code ec, size_t) { drain_named(); });
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: the completion handler of 'async_read' never examines its error_code: a failed read is handled like a successful one [ES-IO-001] [errorshield-unchecked-read]
// CHECK-MESSAGES: :[[@LINE-2]]:47: note: the handler's error_code parameter
  }
  void generic() {
    ws_.async_read(buffer_, [this](auto ec, auto n) { buffer_.consume(n); });
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: the completion handler of 'async_read' never examines its error_code: a failed read is handled like a successful one [ES-IO-001] [errorshield-unchecked-read]
// CHECK-MESSAGES: :[[@LINE-2]]:41: note: the handler's error_code parameter
  }
  void tcp_read(net::ip::tcp::socket &sock) {
    net::async_read(sock, buffer_, [this](error_code ec, size_t) {
      if (ec) return fail(ec, "read");
      read_braced();
    });
    sock.async_read_some(buffer_, [this](error_code ec, size_t) {
      if (ec) {
        fail(ec, "read");
        return;
      }
      read_braced();
    });
    sock.async_read_some(buffer_, [this](error_code ec, size_t) {
      if (ec.failed())
        throw ec;
      read_braced();
    });
    sock.async_read_some(buffer_, [this](error_code ec, size_t) {
      if (!ec)
        read_braced();
    });
    sock.async_read_some(buffer_, [this](auto ec, size_t) {
      if (ec)
        fail(ec, "read");
    });
  }
  void rearm_without_error_branch(net::ip::tcp::socket &sock) {
    sock.async_read_some(buffer_, [this](error_code ec, size_t) {
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: the completion handler of 'async_read_some' carries on after a failed read: 'if (!ec)' does not return on the error path [ES-IO-001] [errorshield-unchecked-read]
// CHECK-MESSAGES: :294:7: note: the error branch falls through to the code after it
      if (!ec)
        buffer_.consume(1);
      read_braced();
    });
  }
  void some_errors_only(net::ip::tcp::socket &sock) {
    sock.async_read_some(buffer_, [this](error_code ec, size_t) {
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: the completion handler of 'async_read_some' carries on after a failed read: 'if (ec && errors_ > 3)' does not return on the error path [ES-IO-001] [errorshield-unchecked-read]
// CHECK-MESSAGES: :303:7: note: the error branch falls through to the code after it
      if (ec && errors_ > 3)
        fail(ec, "read");
      read_braced();
    });
  }
  void generic_fallthrough(net::ip::tcp::socket &sock) {
    sock.async_read_some(buffer_, [this](auto ec, size_t) {
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: the completion handler of 'async_read_some' carries on after a failed read: 'if (ec)' does not return on the error path [ES-IO-001] [errorshield-unchecked-read]
// CHECK-MESSAGES: :312:7: note: the error branch falls through to the code after it
      if (ec)
        fail(ec, "read");
      read_braced();
    });
  }
  // Only cancellation is looked at: end of stream and resets carry on as data.
  void aborted_only(net::ip::tcp::socket &sock) {
    sock.async_read_some(buffer_, [this](error_code ec, size_t) {
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: the completion handler of 'async_read_some' compares its error_code with particular codes only: any other failure (end of stream, a reset) is handled like a successful read [ES-IO-001] [errorshield-unchecked-read]
      if (ec == net::error::operation_aborted)
        return;
      read_braced();
    });
    sock.async_read_some(buffer_, [this](error_code ec, size_t) {
      if (ec == net::error::operation_aborted)
        return;
      if (ec)
        return fail(ec, "read");
      read_braced();
    });
  }
  void accept_loop(net::tcp_acceptor &acceptor) {
    acceptor.async_accept([this, &acceptor](error_code ec) {
      if (ec)
        fail(ec, "accept");
      accept_loop(acceptor);
    });
    acceptor.async_accept([](error_code) {});
// CHECK-MESSAGES: :[[@LINE-1]]:14: warning: the completion handler of 'async_accept' never examines its error_code: a failed read is handled like a successful one [ES-IO-001] [errorshield-unchecked-read]
// CHECK-MESSAGES: :[[@LINE-2]]:40: note: the handler's error_code parameter
  }
  void variadic() {
    ws_.async_read(buffer_, [](auto...) {});
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: the completion handler of 'async_read' never examines its error_code: a failed read is handled like a successful one [ES-IO-001] [errorshield-unchecked-read]
// CHECK-MESSAGES: :[[@LINE-2]]:39: note: the handler's error_code parameter
  }
  void write_only() {
    ws_.async_write(buffer_, [](error_code, size_t) {});
  }

private:
  void on_accept(error_code ec) {
    if (ec.failed()) {
      fail(ec, "accept");
    }
    read_unbraced();
  }
  void on_read(error_code ec, size_t) {
    if (ec) fail(ec, "read");
    ws_.async_write(buffer_, [](error_code, size_t) {});
  }
  void on_read_braced(error_code ec, size_t) {
    if (ec) { fail(ec, "read"); }
    read_braced();
  }

  websocket::stream<int> ws_;
  beast::flat_buffer buffer_;
  net::strand strand_;
  int errors_ = 0;
};

// The fixed file: each falling-through error branch now leaves the handler, once per branch even
// when the handler is bound at two reads.
// CHECK-FIXES: {{^}}      if (ec) { ++errors_; return; }{{$}}
// CHECK-FIXES: {{^}}      if (ec && errors_ > 3){{$}}
// CHECK-FIXES-NEXT: {{^}}        return fail(ec, "read");{{$}}
// CHECK-FIXES: {{^}}      if (ec){{$}}
// CHECK-FIXES-NEXT: {{^}}        { fail(ec, "read"); return; }{{$}}
// CHECK-FIXES: {{^}}    if (ec.failed()) {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}      fail(ec, "accept");{{$}}
// CHECK-FIXES-NEXT: {{^}}      return;{{$}}
// CHECK-FIXES: {{^}}    if (ec) return fail(ec, "read");{{$}}
// CHECK-FIXES: {{^}}    if (ec) { fail(ec, "read"); return; }{{$}}

// An if's condition runs before its branches: it does not test a read made inside them.
void late_test(net::ip::tcp::socket &sock) {
  char data[16];
  error_code ec;
  size_t n = 0;
  if (!ec) {
    n = sock.read_some(net::buffer(data, sizeof data), ec);
// CHECK-MESSAGES: :[[@LINE-1]]:14: warning: error_code 'ec' set by 'read_some' is not tested before 'data' is used [ES-IO-001] [errorshield-unchecked-read]
  }
  process(data, n);
}

// A guard that leaves on some failures only lets the others through (end of stream here: the
// handler re-arms the read forever), unless a later condition looks at the error_code again.
enum class stream_errc { eof };
bool operator==(error_code, stream_errc);
bool operator!=(error_code, stream_errc);
class eof_session {
public:
  void read_skips_eof(net::ip::tcp::socket &sock) {
    sock.async_read_some(buffer_, [this, &sock](error_code ec, size_t) {
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: the completion handler of 'async_read_some' carries on after a failed read: 'if (ec && ec != stream_errc::eof)' does not return on the error path [ES-IO-001] [errorshield-unchecked-read]
// CHECK-MESSAGES: :[[@LINE+1]]:7: note: the error branch falls through to the code after it
      if (ec && ec != stream_errc::eof)
        return;
      read_skips_eof(sock);
    });
  }
  void read_handles_eof(net::ip::tcp::socket &sock) {
    sock.async_read_some(buffer_, [this, &sock](error_code ec, size_t) {
      if (ec && ec != stream_errc::eof)
        return;
      if (ec == stream_errc::eof)
        return;
      read_handles_eof(sock);
    });
  }
  beast::flat_buffer buffer_;
};
// CHECK-FIXES: {{^}}      if (ec && ec != stream_errc::eof){{$}}
// CHECK-FIXES-NEXT: {{^}}        return;{{$}}

// ---- The result of a read handed to another function ----

// The result handed to a function whose body tells 0 apart: handled there.
bool consume_result(ssize_t n) {
  if (n < 0)
    return false;
  return n != 0;
}
void log_size(ssize_t n);
ssize_t last_length;
void remember_length(ssize_t n) { last_length = n; }
bool poll_fifo(int fd, char *out) {
  char buf[32];
  ssize_t got = read(fd, buf, sizeof buf);
  remember_length(got);
  return consume_result(got);
}
void poll_fifo_unseen(int fd, char *out) {
  char buf[32];
  ssize_t got = read(fd, buf, sizeof buf);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: the result of 'read' is never told apart from 0 (end of stream): at end of stream the code carries on as if data had arrived [ES-IO-001] [errorshield-unchecked-read]
  log_size(got);             // body elsewhere: not followed
  remember_length(got);      // uses it as a length only
}

// A count that adds the result before anything tests it: 0 (end of stream) adds nothing and the
// loop on the count spins; -1 subtracts.
void read_exact(int fd, char *buf, size_t need) {
  size_t got = 0;
  while (got < need)
    got += ::read(fd, buf + got, need - got);
// CHECK-MESSAGES: :[[@LINE-1]]:14: warning: the result of 'read' is never told apart from 0 (end of stream): at end of stream the code carries on as if data had arrived [ES-IO-001] [errorshield-unchecked-read]
}
void read_exact_checked(int fd, char *buf, size_t need) {
  size_t got = 0;
  while (got < need) {
    ssize_t n = ::read(fd, buf + got, need - got);
    if (n <= 0)
      return;
    got += n;
  }
}
