// checks: errorshield-ws-message-limit
// Seismic survey ingest: geophone field units stream trace windows over
// WebSocket to the acquisition server, which stores them for later stacking.
#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <cstdint>
#include <deque>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace survey {

constexpr std::size_t kMaxTraceWindow = 4 * 1024 * 1024;  // 4 MiB per window
constexpr std::size_t kMaxHeartbeat = 64 * 1024;

struct TraceStore {
  std::mutex mu;
  std::deque<std::vector<std::uint8_t>> windows;

  void push(const beast::flat_buffer& buf) {
    auto data = buf.data();
    auto* p = static_cast<const std::uint8_t*>(data.data());
    std::lock_guard<std::mutex> lk(mu);
    windows.emplace_back(p, p + data.size());
  }
};

// Long-lived uploader session for a single geophone string.
class GeophoneSession : public std::enable_shared_from_this<GeophoneSession> {
 public:
  GeophoneSession(tcp::socket sock, TraceStore& store)
      : ws_(std::move(sock)), store_(store) {}

  void start() {
    ws_.binary(true);
    // Field units batch several shots into one message, don't cut them off.
    ws_.read_message_max(0); // expect: errorshield-ws-message-limit
    ws_.async_accept(beast::bind_front_handler(&GeophoneSession::on_accept,
                                               shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&GeophoneSession::on_read,
                                                      shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    store_.push(buffer_);
    buffer_.consume(buffer_.size());
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  TraceStore& store_;
};

// Heartbeat channel: units ping every few seconds with battery / GPS state.
class HeartbeatSession : public std::enable_shared_from_this<HeartbeatSession> {
 public:
  explicit HeartbeatSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.read_message_max(kMaxHeartbeat);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec,
                                                        std::size_t n) {
      if (ec) return;
      std::cout << "heartbeat " << n << " bytes\n";
      self->buffer_.clear();
      self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

template <class Stream>
void apply_trace_limits(websocket::stream<Stream>& ws) {
  ws.read_message_max(kMaxTraceWindow);
  ws.auto_fragment(false);
}

// Relay from the field recorder truck; configured through the shared helper.
asio::awaitable<void> recorder_relay(tcp::socket sock, TraceStore& store) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  apply_trace_limits(ws);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    store.push(buf);
    buf.consume(buf.size());
  }
}

// Legacy relay for the older nodal units, still deployed on line 7.
asio::awaitable<void> legacy_relay(tcp::socket sock, TraceStore& store) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.binary(true);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    std::size_t n = co_await ws.async_read(buf, asio::use_awaitable); // expect: errorshield-ws-message-limit
    if (n == 0) continue;
    store.push(buf);
    buf.consume(buf.size());
  }
}

// Calibration blobs are fetched once per deployment with a blocking socket.
std::vector<std::uint8_t> read_calibration(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  beast::flat_buffer buf;
  ws.read(buf); // expect: errorshield-ws-message-limit
  auto d = buf.data();
  auto* p = static_cast<const std::uint8_t*>(d.data());
  return {p, p + d.size()};
}

// Sweep parameters are tiny; the dynamic buffer is capped at construction.
std::string read_sweep_params(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  beast::flat_buffer buf(16 * 1024);
  ws.read(buf);
  return beast::buffers_to_string(buf.data());
}

// Bulk offload of a whole day of recordings from a recovered node.
template <class NextLayer>
class BulkOffload {
 public:
  explicit BulkOffload(NextLayer layer) : ws_(std::move(layer)) {}

  void run(TraceStore& store) {
    ws_.read_message_max(std::numeric_limits<std::uint64_t>::max()); // expect: errorshield-ws-message-limit
    ws_.accept();
    beast::error_code ec;
    while (!ec) {
      ws_.read(buffer_, ec);
      if (!ec) store.push(buffer_);
      buffer_.clear();
    }
  }

 private:
  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buffer_;
};

// Per-shot offload with a sane ceiling.
template <class NextLayer>
class ShotOffload {
 public:
  explicit ShotOffload(NextLayer layer) : ws_(std::move(layer)) {}

  void run(TraceStore& store) {
    ws_.read_message_max(kMaxTraceWindow);
    ws_.accept();
    std::cout << "shot limit " << ws_.read_message_max() << "\n";
    beast::error_code ec;
    ws_.read(buffer_, ec);
    if (!ec) store.push(buffer_);
  }

 private:
  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buffer_;
};

// Recovered nodes are offloaded on the bench, one blocking socket at a time.
void offload_node(tcp::socket sock, bool full_day, TraceStore& store) {
  if (full_day) {
    BulkOffload<tcp::socket> job(std::move(sock));
    job.run(store);
  } else {
    ShotOffload<tcp::socket> job(std::move(sock));
    job.run(store);
  }
}

// Vibroseis sweep recordings can be large, so the limit is raised.
asio::awaitable<void> vibroseis_upload(tcp::socket sock, TraceStore& store) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  const std::size_t sweep_limit = 8ull * 1024 * 1024 * 1024;  // 8 GiB
  ws.read_message_max(sweep_limit); // expect: errorshield-ws-message-limit
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, asio::use_awaitable);
  store.push(buf);
}

// Plain HTTP status endpoint for the survey dashboard (not a WebSocket).
void serve_status(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  beast::error_code ec;
  http::read(sock, buf, req, ec);
  if (ec) return;
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.body() = "{\"state\":\"recording\"}";
  res.prepare_payload();
  http::write(sock, res, ec);
}

enum class Channel { traces, heartbeat, recorder, legacy };

asio::awaitable<void> listener(tcp::acceptor acc, Channel ch, TraceStore& store) {
  auto ex = co_await asio::this_coro::executor;
  for (;;) {
    tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
    switch (ch) {
      case Channel::traces:
        std::make_shared<GeophoneSession>(std::move(s), store)->start();
        break;
      case Channel::heartbeat:
        std::make_shared<HeartbeatSession>(std::move(s))->start();
        break;
      case Channel::recorder:
        asio::co_spawn(ex, recorder_relay(std::move(s), store), asio::detached);
        break;
      case Channel::legacy:
        asio::co_spawn(ex, legacy_relay(std::move(s), store), asio::detached);
        break;
    }
  }
}

}  // namespace survey

int main() {
  asio::io_context ioc;
  survey::TraceStore store;
  using survey::Channel;
  const std::pair<unsigned short, Channel> ports[] = {
      {9100, Channel::traces},
      {9101, Channel::heartbeat},
      {9102, Channel::recorder},
      {9103, Channel::legacy}};
  for (auto [port, ch] : ports) {
    tcp::acceptor acc(ioc, {tcp::v4(), port});
    asio::co_spawn(ioc, survey::listener(std::move(acc), ch, store),
                   asio::detached);
  }
  ioc.run();
}
