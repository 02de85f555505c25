// checks: errorshield-ws-message-limit
// Spectrum relay for the array: correlator nodes push integrated spectra,
// the pointing console sends small commands, dashboards subscribe, and the
// calibration pipeline uploads bandpass tables.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace relay {

constexpr std::size_t kHardCapBytes = 8 * 1024 * 1024;

struct RelayConfig {
  std::size_t max_spectrum_bytes = 2 * 1024 * 1024;
  std::size_t max_command_bytes = 16 * 1024;
  unsigned short correlator_port = 9400;
  unsigned short pointing_port = 9401;
  unsigned short dashboard_port = 9402;
};

class SpectrumBus {
public:
  void publish(std::string beam, std::vector<std::uint8_t> payload) {
    std::lock_guard lk(mu_);
    latest_[std::move(beam)] = std::move(payload);
    ++generation_;
  }
  std::uint64_t generation() const {
    std::lock_guard lk(mu_);
    return generation_;
  }

private:
  mutable std::mutex mu_;
  std::map<std::string, std::vector<std::uint8_t>> latest_;
  std::uint64_t generation_ = 0;
};

// One correlator node. Frame layout: 16-byte beam id, then float32 channels.
class CorrelatorSession : public std::enable_shared_from_this<CorrelatorSession> {
public:
  CorrelatorSession(tcp::socket s, SpectrumBus &bus) : ws_(std::move(s)), bus_(bus) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.binary(true);
    ws_.async_accept(beast::bind_front_handler(&CorrelatorSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec) {
      std::cerr << "correlator accept: " << ec.message() << "\n";
      return;
    }
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&CorrelatorSession::on_read, shared_from_this())); // expect: errorshield-ws-message-limit
  }

  void on_read(beast::error_code ec, std::size_t n) {
    if (ec == websocket::error::closed)
      return;
    if (ec) {
      std::cerr << "correlator read: " << ec.message() << "\n";
      return;
    }
    if (n > 16) {
      auto const *p = static_cast<std::uint8_t const *>(buffer_.data().data());
      std::string beam(reinterpret_cast<char const *>(p), strnlen(reinterpret_cast<char const *>(p), 16));
      bus_.publish(std::move(beam), std::vector<std::uint8_t>(p + 16, p + n));
    }
    buffer_.consume(buffer_.size());
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  SpectrumBus &bus_;
};

// Pointing console: az/el commands, always tiny JSON.
class PointingSession : public std::enable_shared_from_this<PointingSession> {
public:
  PointingSession(tcp::socket s, RelayConfig const &cfg) : ws_(std::move(s)), cfg_(cfg) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(cfg_.max_command_bytes);
    ws_.async_accept(beast::bind_front_handler(&PointingSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (!ec)
      do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&PointingSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto cmd = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (!cmd.is_discarded() && cmd.contains("az") && cmd.contains("el"))
      std::cout << "slew to az=" << cmd["az"] << " el=" << cmd["el"] << "\n";
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  RelayConfig const &cfg_;
};

// Dashboards only send subscription filters like {"beams":["B03","B07"]}.
net::awaitable<void> dashboard_session(websocket::stream<beast::tcp_stream> ws, RelayConfig cfg) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(std::min(cfg.max_command_bytes, kHardCapBytes));
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable));
    if (ec)
      co_return;
    auto filter = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(n);
    if (filter.is_discarded())
      continue;
    ws.text(true);
    co_await ws.async_write(net::buffer(json{{"ack", filter.value("beams", json::array())}}.dump()),
                            net::use_awaitable);
  }
}

// Bandpass tables from the calibration pipeline.
net::awaitable<void> calibration_upload(websocket::stream<beast::tcp_stream> ws) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(0); // expect: errorshield-ws-message-limit
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer table;
  co_await ws.async_read(table, net::use_awaitable);
  std::cout << "bandpass table: " << table.size() << " bytes\n";
  co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
}

// Maintenance port: drains queued control messages synchronously.
template <class NextLayer>
std::vector<std::string> drain_control(websocket::stream<NextLayer> &ws, std::size_t count) {
  std::vector<std::string> out;
  beast::flat_buffer buf;
  for (std::size_t i = 0; i < count; ++i) {
    ws.read(buf); // expect: errorshield-ws-message-limit
    out.push_back(beast::buffers_to_string(buf.data()));
    buf.consume(buf.size());
  }
  return out;
}

void maintenance_port(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  for (auto const &line : drain_control(ws, 8))
    std::cout << "maint: " << line << "\n";
  ws.close(websocket::close_code::normal);
}

// Raw voltage snapshots, requested on demand by the transient detector.
void start_voltage_capture(net::io_context &ioc, tcp::socket sock) {
  net::spawn(
      ioc,
      [ws = websocket::stream<beast::tcp_stream>(std::move(sock))](net::yield_context yield) mutable {
        beast::error_code ec;
        ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws.read_message_max(std::numeric_limits<std::size_t>::max()); // expect: errorshield-ws-message-limit
        ws.async_accept(yield[ec]);
        if (ec)
          return;
        beast::flat_buffer dump;
        ws.async_read(dump, yield[ec]);
        if (!ec)
          std::cout << "voltage dump " << dump.size() << " bytes\n";
      },
      net::detached);
}

// Plain HTTP status probe for the monitoring system.
net::awaitable<void> status_probe(beast::tcp_stream stream, SpectrumBus const &bus) {
  beast::flat_buffer buf;
  http::request_parser<http::string_body> parser;
  parser.body_limit(4096);
  co_await http::async_read(stream, buf, parser, net::use_awaitable);
  http::response<http::string_body> res{http::status::ok, parser.get().version()};
  res.set(http::field::content_type, "application/json");
  res.body() = json{{"generation", bus.generation()}}.dump();
  res.prepare_payload();
  co_await http::async_write(stream, res, net::use_awaitable);
}

net::awaitable<void> accept_correlators(tcp::acceptor acc, SpectrumBus &bus) {
  for (;;) {
    auto sock = co_await acc.async_accept(net::use_awaitable);
    std::make_shared<CorrelatorSession>(std::move(sock), bus)->run();
  }
}

net::awaitable<void> accept_pointing(tcp::acceptor acc, RelayConfig const &cfg) {
  for (;;) {
    auto sock = co_await acc.async_accept(net::use_awaitable);
    std::make_shared<PointingSession>(std::move(sock), cfg)->run();
  }
}

} // namespace relay

int main() {
  net::io_context ioc;
  relay::RelayConfig cfg;
  relay::SpectrumBus bus;
  net::co_spawn(ioc, relay::accept_correlators(tcp::acceptor(ioc, {tcp::v4(), cfg.correlator_port}), bus),
                net::detached);
  net::co_spawn(ioc, relay::accept_pointing(tcp::acceptor(ioc, {tcp::v4(), cfg.pointing_port}), cfg),
                net::detached);
  ioc.run();
}
