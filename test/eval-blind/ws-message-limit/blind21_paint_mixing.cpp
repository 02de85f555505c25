// checks: errorshield-ws-message-limit
// Tint dispenser gateway: paint-store mixing machines connect over WebSocket,
// receive formula jobs and report canister levels / dispense results.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <thread>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace tint {

constexpr std::size_t kFormulaFrameMax = 64 * 1024;   // a formula is a few hundred bytes
constexpr std::size_t kLevelReportMax = 8 * 1024;

struct CanisterLevels {
  std::map<std::string, double> millilitres;
};

void record_levels(const std::string& machine, const json& j) {
  CanisterLevels lv;
  for (auto& [k, v] : j.at("canisters").items()) lv.millilitres[k] = v.get<double>();
  std::cout << machine << ": " << lv.millilitres.size() << " canisters\n";
}

// One session per mixing machine on the shop floor.
class MixerSession : public std::enable_shared_from_this<MixerSession> {
public:
  explicit MixerSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->read_next();
    });
  }

private:
  void read_next() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
      if (ec) return;
      auto text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      record_levels("mixer", json::parse(text, nullptr, false));
      self->read_next();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// Formula console used by the paint counter staff; limits are set up front.
class ConsoleSession : public std::enable_shared_from_this<ConsoleSession> {
public:
  explicit ConsoleSession(tcp::socket s) : ws_(std::move(s)) {
    ws_.read_message_max(kFormulaFrameMax);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  }

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_formula();
    });
  }

private:
  void read_formula() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return;
      std::cout << "formula request, " << n << " bytes\n";
      self->buffer_.clear();
      self->read_formula();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// Firmware-side colour calibration uploads come through a coroutine handler.
net::awaitable<void> calibration_upload(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable);
  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, net::use_awaitable); // expect: errorshield-ws-message-limit
    std::cout << "calibration block " << buf.size() << " bytes\n";
  }
}

// Level reports are tiny; clamp them hard.
net::awaitable<void> level_reports(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.read_message_max(kLevelReportMax);
  co_await ws.async_accept(net::use_awaitable);
  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, net::use_awaitable);
    record_levels("levels", json::parse(beast::buffers_to_string(buf.data()), nullptr, false));
  }
}

// Batch import of colour libraries from the head office; those files are big,
// so the regional team just turned the cap off.
net::awaitable<void> library_import(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.read_message_max(0); // expect: errorshield-ws-message-limit
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable);
  std::cout << "library import, " << buf.size() << " bytes\n";
}

// Legacy dispenser protocol bridge, one blocking worker per bench tester.
template <class NextLayer>
void bench_tester_loop(websocket::stream<NextLayer>& ws) {
  ws.read_message_max(std::numeric_limits<std::uint64_t>::max()); // expect: errorshield-ws-message-limit
  beast::flat_buffer buf;
  beast::error_code ec;
  while (!ec) {
    ws.read(buf, ec);
    buf.consume(buf.size());
  }
}

// Service laptop: technicians connect directly to a mixer for diagnostics.
void service_port(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  beast::error_code ec;
  ws.accept(ec);
  if (ec) return;
  beast::flat_buffer buf;
  for (;;) {
    ws.read(buf, ec); // expect: errorshield-ws-message-limit
    if (ec) break;
    ws.text(ws.got_text());
    ws.write(buf.data(), ec);
    buf.consume(buf.size());
  }
}

// Store-manager dashboard, reasonable 1 MiB cap for the daily sales export.
void dashboard_port(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(1 << 20);
  beast::error_code ec;
  ws.accept(ec);
  if (ec) return;
  beast::flat_buffer buf;
  for (;;) {
    ws.read(buf, ec);
    if (ec) break;
    buf.consume(buf.size());
  }
}

// Plain HTTP health probe on the same port range; body size capped by parser.
void health_probe(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request_parser<http::string_body> parser;
  parser.body_limit(4096);
  beast::error_code ec;
  http::read(sock, buf, parser, ec);
  if (ec) return;
  http::response<http::string_body> res{http::status::ok, parser.get().version()};
  res.body() = "ok";
  res.prepare_payload();
  http::write(sock, res, ec);
}

void accept_loop(tcp::acceptor& acc, unsigned short kind) {
  acc.async_accept([&acc, kind](beast::error_code ec, tcp::socket s) {
    if (!ec) {
      if (kind == 1)
        std::make_shared<MixerSession>(std::move(s))->start();
      else
        std::make_shared<ConsoleSession>(std::move(s))->start();
    }
    accept_loop(acc, kind);
  });
}

}  // namespace tint

int main() {
  net::io_context ioc;
  tcp::acceptor mixers(ioc, {tcp::v4(), 9100});
  tcp::acceptor consoles(ioc, {tcp::v4(), 9101});
  tint::accept_loop(mixers, 1);
  tint::accept_loop(consoles, 2);

  tcp::acceptor calib(ioc, {tcp::v4(), 9102});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await calib.async_accept(net::use_awaitable);
      net::co_spawn(calib.get_executor(), tint::calibration_upload(std::move(s)), net::detached);
    }
  }, net::detached);

  tcp::acceptor levels(ioc, {tcp::v4(), 9103});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await levels.async_accept(net::use_awaitable);
      net::co_spawn(levels.get_executor(), tint::level_reports(std::move(s)), net::detached);
    }
  }, net::detached);

  tcp::acceptor imports(ioc, {tcp::v4(), 9104});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    auto s = co_await imports.async_accept(net::use_awaitable);
    co_await tint::library_import(std::move(s));
  }, net::detached);

  std::thread bench([] {
    net::io_context bio;
    tcp::acceptor a(bio, {tcp::v4(), 9105});
    tcp::socket s = a.accept();
    websocket::stream<tcp::socket> ws(std::move(s));
    ws.accept();
    tint::bench_tester_loop(ws);
  });

  ioc.run();
  bench.join();
}
