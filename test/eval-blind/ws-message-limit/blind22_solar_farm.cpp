// checks: errorshield-ws-message-limit
// Solar farm ingest: combiner boxes upload per-string inverter samples
// (voltage / current / temperature) as JSON batches over WebSocket.
// Older gateways also push firmware diagnostics dumps on a separate port.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace solar {

// A full batch from a 32-string combiner at 1 Hz for 60 s is ~180 KiB.
constexpr std::size_t kMaxBatchBytes = 256 * 1024;
constexpr std::size_t kMaxDiagBytes = 4 * 1024 * 1024;

struct StringSample {
  std::string combiner;
  int string_no = 0;
  double volts = 0;
  double amps = 0;
  double temp_c = 0;
};

std::vector<StringSample> decode_batch(const std::string& text) {
  std::vector<StringSample> out;
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_array())
    return out;
  for (const auto& e : j) {
    out.push_back({e.value("combiner", std::string{}), e.value("string", 0),
                   e.value("v", 0.0), e.value("a", 0.0), e.value("t", 0.0)});
  }
  return out;
}

std::mutex g_store_mu;
std::vector<StringSample> g_store;

void store(const std::vector<StringSample>& batch) {
  std::lock_guard<std::mutex> lk(g_store_mu);
  g_store.insert(g_store.end(), batch.begin(), batch.end());
}

// Common settings for every upload endpoint.
template <class NextLayer>
void apply_upload_limits(websocket::stream<NextLayer>& ws) {
  ws.read_message_max(kMaxBatchBytes);
  ws.auto_fragment(false);
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
}

// Current combiner firmware (v3+).
class UploadSession : public std::enable_shared_from_this<UploadSession> {
public:
  explicit UploadSession(tcp::socket s) : ws_(std::move(s)) {
    ws_.read_message_max(kMaxBatchBytes);
  }

  void run() {
    ws_.async_accept(beast::bind_front_handler(&UploadSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&UploadSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    store(decode_batch(beast::buffers_to_string(buffer_.data())));
    buffer_.consume(buffer_.size());
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// Gateways still on v2 firmware; they connect to the legacy port.
class LegacyUploadSession : public std::enable_shared_from_this<LegacyUploadSession> {
public:
  explicit LegacyUploadSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->do_read();
    });
  }

private:
  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) { // expect: errorshield-ws-message-limit
      if (ec)
        return;
      std::clog << "legacy batch " << n << " bytes\n";
      store(decode_batch(beast::buffers_to_string(self->buffer_.data())));
      self->buffer_.consume(self->buffer_.size());
      self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// TLS uploads from the substation SCADA bridge.
net::awaitable<void> tls_upload(websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws) {
  apply_upload_limits(ws);
  co_await beast::get_lowest_layer(ws).socket().async_wait(tcp::socket::wait_read, net::use_awaitable);
  co_await ws.next_layer().async_handshake(ssl::stream_base::server, net::use_awaitable);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    store(decode_batch(beast::buffers_to_string(buf.data())));
    buf.consume(buf.size());
  }
}

// Diagnostics dumps can be large; the operator asked for "no cap" here.
net::awaitable<void> diagnostics_upload(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(0); // expect: errorshield-ws-message-limit
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    std::size_t n = co_await ws.async_read(buf, net::use_awaitable);
    std::clog << "diag dump " << n << " bytes\n";
    buf.consume(n);
  }
}

// Inverter event log replay, bounded to a few MiB.
net::awaitable<void> event_log_upload(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.read_message_max(kMaxDiagBytes);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    std::size_t n = co_await ws.async_read(buf, net::use_awaitable);
    buf.consume(n);
  }
}

// Satellite link gateways (stackful, one strand per link).
void satellite_link(tcp::socket sock, net::yield_context yield) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.read_message_max(std::numeric_limits<std::uint64_t>::max()); // expect: errorshield-ws-message-limit
  beast::error_code ec;
  ws.async_accept(yield[ec]);
  if (ec)
    return;
  beast::flat_buffer buf;
  while (!ec) {
    ws.async_read(buf, yield[ec]);
    if (!ec)
      store(decode_batch(beast::buffers_to_string(buf.data())));
    buf.consume(buf.size());
  }
}

// Blocking test harness used by the commissioning laptop tool.
void commissioning_listener(unsigned short port) {
  net::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  tcp::socket sock = acc.accept();
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  beast::flat_buffer buf;
  beast::error_code ec;
  while (!ec) {
    ws.read(buf, ec); // expect: errorshield-ws-message-limit
    if (!ec)
      std::cout << beast::make_printable(buf.data()) << "\n";
    buf.consume(buf.size());
  }
}

// Same tool, panel-level scan; bounded.
void panel_scan_listener(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(64 * 1024);
  ws.accept();
  beast::flat_buffer buf;
  beast::error_code ec;
  ws.read(buf, ec);
  if (!ec)
    store(decode_batch(beast::buffers_to_string(buf.data())));
}

// Weather station feed shares the ingest port.
template <class Stream>
class WeatherFeed {
public:
  explicit WeatherFeed(Stream s) : ws_(std::move(s)) {
    ws_.read_message_max(std::uint64_t{8} << 30); // expect: errorshield-ws-message-limit
  }

  net::awaitable<void> run() {
    co_await ws_.async_accept(net::use_awaitable);
    for (;;) {
      co_await ws_.async_read(buf_, net::use_awaitable);
      buf_.consume(buf_.size());
    }
  }

private:
  websocket::stream<Stream> ws_;
  beast::flat_buffer buf_;
};

net::awaitable<void> listen(tcp::acceptor acc, bool legacy) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(net::use_awaitable);
    if (legacy)
      std::make_shared<LegacyUploadSession>(std::move(s))->run();
    else
      std::make_shared<UploadSession>(std::move(s))->run();
  }
}

} // namespace solar

int main() {
  net::io_context ioc;
  net::co_spawn(ioc, solar::listen(tcp::acceptor(ioc, {tcp::v4(), 9100}), false), net::detached);
  net::co_spawn(ioc, solar::listen(tcp::acceptor(ioc, {tcp::v4(), 9101}), true), net::detached);
  auto weather = std::make_shared<solar::WeatherFeed<beast::tcp_stream>>(beast::tcp_stream(ioc));
  net::co_spawn(ioc, [weather]() -> net::awaitable<void> { co_await weather->run(); }, net::detached);
  ioc.run();
}
