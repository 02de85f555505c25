// checks: errorshield-ws-timeouts
// 3D print farm job monitor: printers stream progress over WebSocket,
// operators watch the queue from the browser, and the slicer service pushes
// new jobs. Several listeners, written at different times.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace farm {

class JobBoard {
public:
  void progress(const std::string &printer, int percent) {
    std::lock_guard lk(mu_);
    progress_[printer] = percent;
  }
  json snapshot() {
    std::lock_guard lk(mu_);
    json j = json::object();
    for (const auto &[p, pct] : progress_) j[p] = pct;
    return j;
  }

private:
  std::mutex mu_;
  std::map<std::string, int> progress_;
};

// Printers: long-lived sessions, callback style.
class PrinterSession : public std::enable_shared_from_this<PrinterSession> {
public:
  PrinterSession(tcp::socket s, JobBoard &b) : ws_(std::move(s)), board_(b) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_loop();
    });
  }

private:
  void read_loop() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (!j.is_discarded()) self->board_.progress(j.value("printer", "?"), j.value("pct", 0));
      self->read_loop();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  JobBoard &board_;
};

// Operator dashboards (browser tabs are often left open overnight).
class DashboardSession : public std::enable_shared_from_this<DashboardSession> {
public:
  DashboardSession(tcp::socket s, JobBoard &b) : ws_(std::move(s)), board_(b) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout opt{};
    opt.handshake_timeout = 30s;
    opt.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
    opt.keep_alive_pings = false;
    ws_.set_option(opt);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->push();
    });
  }

private:
  void push() {
    out_ = board_.snapshot().dump();
    ws_.async_write(asio::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->timer_.expires_after(2s);
      self->timer_.async_wait([self](beast::error_code ec) {
        if (!ec) self->push();
      });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  JobBoard &board_;
  std::string out_;
  asio::steady_timer timer_{ws_.get_executor()};
};

// Slicer service pushes jobs; coroutine flavour.
asio::awaitable<void> slicer_session(tcp::socket sock, JobBoard &board) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable); // expect: errorshield-ws-timeouts
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    auto job = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (!job.is_discarded()) board.progress(job.value("printer", "?"), 0);
  }
}

// Filament sensors: coroutine with an explicit timeout policy.
asio::awaitable<void> filament_session(tcp::socket sock, JobBoard &board) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  beast::get_lowest_layer(ws).expires_never();
  websocket::stream_base::timeout opt{};
  opt.handshake_timeout = 10s;
  opt.idle_timeout = 45s;
  opt.keep_alive_pings = true;
  ws.set_option(opt);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    board.progress("filament", 0);
    buf.consume(buf.size());
  }
}

// Webcam relays; this code was copied from the cloud uploader client.
template <class Stream>
asio::awaitable<void> webcam_session(websocket::stream<Stream> ws, JobBoard &board) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client)); // expect: errorshield-ws-timeouts
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    buf.consume(buf.size());
    board.progress("webcam", 100);
  }
}

// Enclosure heaters: they only report on temperature change, so the
// connection can be silent for a long time.
asio::awaitable<void> heater_session(tcp::socket sock, JobBoard &board) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout{20s, websocket::stream_base::none(), false}); // expect: errorshield-ws-timeouts
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    board.progress("heater", 0);
    buf.consume(buf.size());
  }
}

// Cloud uploader: we are the client here, the cloud side enforces idle.
asio::awaitable<void> cloud_uploader(asio::io_context &ioc, JobBoard &board) {
  tcp::resolver resolver(ioc);
  auto results = co_await resolver.async_resolve("uploads.example.net", "443", asio::use_awaitable);
  websocket::stream<beast::tcp_stream> ws(ioc);
  co_await beast::get_lowest_layer(ws).async_connect(results, asio::use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  co_await ws.async_handshake("uploads.example.net", "/farm", asio::use_awaitable);
  auto snap = board.snapshot().dump();
  co_await ws.async_write(asio::buffer(snap), asio::use_awaitable);
}

// Queue admin API: uses a tuned copy of the server defaults.
class AdminSession : public std::enable_shared_from_this<AdminSession> {
public:
  explicit AdminSession(tcp::socket s) : ws_(std::move(s)) {}
  void run() {
    auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
    opt.idle_timeout = 120s;
    ws_.set_option(opt);
    ws_.async_accept([self = shared_from_this()](beast::error_code) {});
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
};

// Spare-parts kiosk: someone turned the timer off "to stop disconnects".
class KioskSession : public std::enable_shared_from_this<KioskSession> {
public:
  explicit KioskSession(tcp::socket s) : ws_(std::move(s)) {}
  void run() {
    auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
    opt.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
    ws_.set_option(opt);
    ws_.async_accept([self = shared_from_this()](beast::error_code) {});
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
};

asio::awaitable<void> listen(tcp::acceptor acc, JobBoard &board, int kind) {
  auto ex = co_await asio::this_coro::executor;
  for (;;) {
    auto sock = co_await acc.async_accept(asio::use_awaitable);
    switch (kind) {
    case 0: std::make_shared<PrinterSession>(std::move(sock), board)->run(); break;
    case 1: std::make_shared<DashboardSession>(std::move(sock), board)->run(); break;
    case 2: asio::co_spawn(ex, slicer_session(std::move(sock), board), asio::detached); break;
    case 3: asio::co_spawn(ex, filament_session(std::move(sock), board), asio::detached); break;
    case 4:
      asio::co_spawn(ex, webcam_session(websocket::stream<beast::tcp_stream>(std::move(sock)), board), asio::detached);
      break;
    case 5: std::make_shared<AdminSession>(std::move(sock))->run(); break;
    case 6: asio::co_spawn(ex, heater_session(std::move(sock), board), asio::detached); break;
    default: std::make_shared<KioskSession>(std::move(sock))->run(); break;
    }
  }
}

} // namespace farm

int main() {
  asio::io_context ioc;
  farm::JobBoard board;
  for (int k = 0; k < 8; ++k)
    asio::co_spawn(ioc, farm::listen(tcp::acceptor(ioc, {tcp::v4(), static_cast<unsigned short>(9500 + k)}), board, k),
                   asio::detached);
  asio::co_spawn(ioc, farm::cloud_uploader(ioc, board), asio::detached);
  ioc.run();
}
