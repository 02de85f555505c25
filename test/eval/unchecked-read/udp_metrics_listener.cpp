// checks: errorshield-unchecked-read
// StatsD-style metrics listener. Agents send "name:value|type" lines over UDP;
// the collector runs either a raw POSIX receive loop (legacy hosts) or an
// Asio-based one.
#include <boost/asio.hpp>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace net = boost::asio;
using udp = net::ip::udp;

struct MetricSink {
  void ingest(std::string_view line, const sockaddr_in& from);
  void ingest(std::string_view line, const udp::endpoint& from);
  std::atomic<uint64_t> errors{0};
};

// An empty datagram gives n == 0 and buf[n - 1] reads before the buffer.
void serve_udp_naive(int fd, MetricSink& sink) {
  char buf[1500];
  for (;;) {
    sockaddr_in from{};
    socklen_t from_len = sizeof from;
    ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);  // expect: errorshield-unchecked-read
    if (n == -1) {
      if (errno == EINTR) continue;
      break;
    }
    if (buf[n - 1] == '\n') --n;
    sink.ingest(std::string_view(buf, static_cast<size_t>(n)), from);
  }
}

// Correct: empty datagrams are skipped explicitly.
void serve_udp(int fd, MetricSink& sink) {
  char buf[1500];
  for (;;) {
    sockaddr_in from{};
    socklen_t from_len = sizeof from;
    ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (n == 0) continue;
    if (buf[n - 1] == '\n') --n;
    sink.ingest(std::string_view(buf, static_cast<size_t>(n)), from);
  }
}

// Correct: on startup, throw away whatever queued up while the collector was down.
void flush_backlog(int fd) {
  char junk[1500];
  while (::recvfrom(fd, junk, sizeof junk, MSG_DONTWAIT, nullptr, nullptr) > 0) {
  }
}

void drop_oversized(int fd) {
  char junk[1];
  ::recv(fd, junk, sizeof junk, MSG_DONTWAIT | MSG_TRUNC);  // expect: errorshield-unchecked-read
}

static void fill_msghdr(msghdr& msg, iovec& iov, sockaddr_in& from, char* cbuf, size_t clen) {
  msg = {};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = clen;
}

// Receives with IP_PKTINFO to learn which local address the agent targeted.
void serve_pktinfo_naive(int fd, MetricSink& sink) {
  char buf[1500];
  char cbuf[CMSG_SPACE(sizeof(in_pktinfo))];
  sockaddr_in from{};
  iovec iov{buf, sizeof buf};
  msghdr msg;
  for (;;) {
    fill_msghdr(msg, iov, from, cbuf, sizeof cbuf);
    ssize_t n = ::recvmsg(fd, &msg, 0);  // expect: errorshield-unchecked-read
    if (n < 0) return;
    std::string_view line(buf, static_cast<size_t>(n));
    sink.ingest(line.substr(0, line.find('\n')), from);
  }
}

// Correct: `n < 1` rejects empty datagrams as well as errors.
void serve_pktinfo(int fd, MetricSink& sink) {
  char buf[1500];
  char cbuf[CMSG_SPACE(sizeof(in_pktinfo))];
  sockaddr_in from{};
  iovec iov{buf, sizeof buf};
  msghdr msg;
  for (;;) {
    fill_msghdr(msg, iov, from, cbuf, sizeof cbuf);
    ssize_t n = ::recvmsg(fd, &msg, 0);
    if (n < 1) {
      if (n < 0 && errno != EINTR) return;
      continue;
    }
    sink.ingest(std::string_view(buf, static_cast<size_t>(n)), from);
  }
}

// Correct: the length goes to an out-parameter, the batch reader decides.
int receive_one(int fd, msghdr* msg, ssize_t* out_len) {
  ssize_t n = ::recvmsg(fd, msg, MSG_DONTWAIT);
  *out_len = n;
  return n < 0 ? errno : 0;
}

// Asio, synchronous: the datagram is ingested before ec is looked at.
void serve_asio_sync_naive(net::io_context& ioc, MetricSink& sink) {
  udp::socket sock(ioc, udp::endpoint(udp::v4(), 8125));
  std::array<char, 1500> buf;
  udp::endpoint sender;
  boost::system::error_code ec;
  for (;;) {
    std::size_t n = sock.receive_from(net::buffer(buf), sender, 0, ec);  // expect: errorshield-unchecked-read
    sink.ingest(std::string_view(buf.data(), n), sender);
    if (ec == net::error::operation_aborted) break;
  }
}

// Correct: ec is tested before the bytes are used.
void serve_asio_sync(net::io_context& ioc, MetricSink& sink) {
  udp::socket sock(ioc, udp::endpoint(udp::v4(), 8125));
  std::array<char, 1500> buf;
  udp::endpoint sender;
  boost::system::error_code ec;
  for (;;) {
    std::size_t n = sock.receive_from(net::buffer(buf), sender, 0, ec);
    if (ec) {
      if (ec == net::error::operation_aborted) break;
      ++sink.errors;
      continue;
    }
    sink.ingest(std::string_view(buf.data(), n), sender);
  }
}

class AsyncMetricsServer {
 public:
  AsyncMetricsServer(net::io_context& ioc, MetricSink& sink, unsigned short port)
      : socket_(ioc, udp::endpoint(udp::v4(), port)), sink_(sink) {}

  // The error is counted, then the (empty) buffer is ingested anyway.
  void start_receive_naive() {
    socket_.async_receive_from(net::buffer(buf_), sender_, [this](const boost::system::error_code& ec, std::size_t n) {  // expect: errorshield-unchecked-read
      if (ec) ++sink_.errors;
      sink_.ingest(std::string_view(buf_.data(), n), sender_);
      start_receive_naive();
    });
  }

  // Correct: every error path leaves the handler.
  void start_receive() {
    socket_.async_receive_from(net::buffer(buf_), sender_, [this](const boost::system::error_code& ec, std::size_t n) {
      if (ec) {
        if (ec != net::error::operation_aborted) start_receive();
        return;
      }
      sink_.ingest(std::string_view(buf_.data(), n), sender_);
      start_receive();
    });
  }

  // Connected relay socket from the aggregation tier; the error is dropped on the floor.
  void start_relay_receive(udp::socket& relay) {
    relay.async_receive(net::buffer(relay_buf_), [this, &relay](boost::system::error_code, std::size_t n) {  // expect: errorshield-unchecked-read
      sink_.ingest(std::string_view(relay_buf_.data(), n), sender_);
      start_relay_receive(relay);
    });
  }

  // Correct: the future form has no completion handler; get() throws on error.
  std::size_t receive_blocking_probe() {
    auto fut = socket_.async_receive_from(net::buffer(buf_), sender_, net::use_future);
    return fut.get();
  }

 private:
  udp::socket socket_;
  MetricSink& sink_;
  std::array<char, 1500> buf_{};
  std::array<char, 9000> relay_buf_{};
  udp::endpoint sender_;
};
