// checks: errorshield-unchecked-read
// Market-data fan-out node. Consumes the exchange's binary TCP feed and its
// UDP incremental channel, recovers from gaps with a snapshot socket, and
// fans out top-of-book updates to WebSocket subscribers. C++20 coroutines.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using udp = net::ip::udp;
using net::awaitable;
using net::use_awaitable;
using json = nlohmann::json;

namespace mdfan {

#pragma pack(push, 1)
struct FrameHeader {
  std::uint16_t length;
  std::uint16_t msg_type;
  std::uint32_t seq;
};
#pragma pack(pop)

class BookBuilder {
 public:
  void apply(const FrameHeader& h, const char* body, std::size_t len) {
    (void)body;
    last_seq_ = h.seq;
    bytes_ += len;
  }
  void feed_raw(const char* data, std::size_t len) {
    (void)data;
    bytes_ += len;
  }
  std::uint32_t last_seq() const { return last_seq_; }
  json top_of_book(const std::string& sym) const { return json{{"sym", sym}, {"seq", last_seq_}}; }

 private:
  std::uint32_t last_seq_ = 0;
  std::uint64_t bytes_ = 0;
};

// Primary feed: length-prefixed frames. Uses throwing reads; the caller's
// co_spawn completion logs the exception and reconnects.
awaitable<void> consume_primary(tcp::socket& sock, BookBuilder& book) {
  std::vector<char> body;
  for (;;) {
    FrameHeader hdr{};
    co_await net::async_read(sock, net::buffer(&hdr, sizeof hdr), use_awaitable);
    body.resize(hdr.length);
    std::size_t n = co_await net::async_read(sock, net::buffer(body), use_awaitable);
    book.apply(hdr, body.data(), n);
  }
}

// Backup feed: same framing, non-throwing completion.
awaitable<void> consume_backup(tcp::socket& sock, BookBuilder& book) {
  std::vector<char> body;
  boost::system::error_code ec;
  for (;;) {
    FrameHeader hdr{};
    co_await net::async_read(sock, net::buffer(&hdr, sizeof hdr), net::redirect_error(use_awaitable, ec)); // expect: errorshield-unchecked-read
    body.resize(hdr.length);
    co_await net::async_read(sock, net::buffer(body), net::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    book.apply(hdr, body.data(), body.size());
  }
}

// Drop-copy feed: raw bytes are forwarded to the recorder.
awaitable<void> consume_dropcopy(tcp::socket& sock, BookBuilder& book) {
  std::array<char, 8192> tmp;
  for (;;) {
    auto [ec, n] = co_await sock.async_read_some(net::buffer(tmp), net::as_tuple(use_awaitable)); // expect: errorshield-unchecked-read
    book.feed_raw(tmp.data(), tmp.size());
  }
}

awaitable<void> consume_recorder_echo(tcp::socket& sock, BookBuilder& book) {
  std::array<char, 8192> tmp;
  for (;;) {
    auto [ec, n] = co_await sock.async_read_some(net::buffer(tmp), net::as_tuple(use_awaitable));
    if (ec == net::error::eof || ec == net::error::operation_aborted) co_return;
    if (ec) throw boost::system::system_error(ec);
    book.feed_raw(tmp.data(), n);
  }
}

// Incremental UDP channel.
awaitable<void> consume_incrementals(udp::socket& sock, BookBuilder& book) {
  std::array<char, 1500> pkt;
  udp::endpoint sender;
  for (;;) {
    auto [ec, n] = co_await sock.async_receive_from(net::buffer(pkt), sender, net::as_tuple(use_awaitable));
    if (ec) co_return;
    if (n < sizeof(FrameHeader)) continue;
    FrameHeader hdr;
    std::memcpy(&hdr, pkt.data(), sizeof hdr);
    book.apply(hdr, pkt.data() + sizeof hdr, n - sizeof hdr);
  }
}

// Warm-up probe on the multicast group before subscribing to the book.
std::size_t probe_multicast(udp::socket& sock) {
  std::array<char, 1500> pkt;
  udp::endpoint sender;
  boost::system::error_code ec;
  std::size_t packets = 0;
  while (packets < 16) {
    sock.receive_from(net::buffer(pkt), sender, 0, ec); // expect: errorshield-unchecked-read
    ++packets;
  }
  return packets;
}

// Gap recovery: the exchange's snapshot service speaks a plain blocking
// protocol, so it runs on its own thread with raw POSIX calls.
std::string fetch_snapshot(int fd, std::uint32_t from_seq) {
  char req[16];
  std::snprintf(req, sizeof req, "SNAP %u\n", from_seq);
  if (::send(fd, req, std::strlen(req), 0) < 0) return {};
  std::string snap;
  char buf[4096];
  for (;;) {
    ssize_t r = ::recv(fd, buf, sizeof buf, 0);
    if (r <= 0) break;
    snap.append(buf, static_cast<std::size_t>(r));
    if (snap.size() >= 2 && snap.compare(snap.size() - 2, 2, "\n\n") == 0) break;
  }
  return snap;
}

std::uint32_t snapshot_trailer_seq(int fd) {
  std::uint32_t seq = 0;
  ::recv(fd, &seq, sizeof seq, MSG_WAITALL); // expect: errorshield-unchecked-read
  return seq;
}

class Subscriber : public std::enable_shared_from_this<Subscriber> {
 public:
  explicit Subscriber(tcp::socket s) : ws_(std::move(s)) {}

  awaitable<void> run(BookBuilder& book) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(4096);
    co_await ws_.async_accept(use_awaitable);
    beast::flat_buffer buf;
    boost::system::error_code ec;
    for (;;) {
      co_await ws_.async_read(buf, net::redirect_error(use_awaitable, ec));
      if (ec) break;
      auto req = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
      buf.consume(buf.size());
      if (req.is_object() && req.contains("subscribe")) symbols_.insert(req.value("subscribe", ""));
      for (const auto& s : symbols_) {
        ws_.text(true);
        co_await ws_.async_write(net::buffer(book.top_of_book(s).dump()), use_awaitable);
      }
    }
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
  std::set<std::string> symbols_;
};

// Persistence acks from the tick recorder, which we connect to as a
// WebSocket client. Each ack frame carries the last durable sequence number.
class RecorderLink {
 public:
  explicit RecorderLink(websocket::stream<beast::tcp_stream> ws) : ws_(std::move(ws)) {}

  awaitable<void> drain_acks() {
    beast::flat_buffer ack;
    boost::system::error_code ec;
    for (;;) {
      co_await ws_.async_read(ack, net::redirect_error(use_awaitable, ec)); // expect: errorshield-unchecked-read
      ++acks_;
      ack.clear();
    }
  }

  awaitable<std::uint64_t> wait_durable() {
    beast::flat_buffer ack;
    co_await ws_.async_read(ack, use_awaitable);  // throws on close/error
    ++acks_;
    auto j = json::parse(beast::buffers_to_string(ack.data()), nullptr, false);
    co_return j.is_object() ? j.value("seq", std::uint64_t{0}) : 0;
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
  std::uint64_t acks_ = 0;
};

void start(net::io_context& ioc, tcp::socket& primary, tcp::socket& backup, udp::socket& incr,
           BookBuilder& book) {
  net::co_spawn(ioc, consume_primary(primary, book), [](std::exception_ptr e) {
    if (e) std::fprintf(stderr, "primary feed dropped\n");
  });
  net::co_spawn(ioc, consume_backup(backup, book), net::detached);
  net::co_spawn(ioc, consume_incrementals(incr, book), net::detached);
}

}  // namespace mdfan
