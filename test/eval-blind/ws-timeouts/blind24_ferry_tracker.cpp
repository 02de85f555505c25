// checks: errorshield-ws-timeouts
// Shore-side ferry position tracker. Each vessel's onboard unit pushes GPS fixes
// over a WebSocket; terminal departure boards and the passenger app subscribe
// to positions; harbour control gets an ops channel. The tracker also pulls
// AIS data from the coast-guard feed as a client.
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

struct Fix {
  double lat = 0, lon = 0, knots = 0;
  std::string vessel;
};

class Fleet {
public:
  void update(const Fix &f) {
    std::lock_guard lk(mu_);
    fixes_[f.vessel] = f;
  }
  json to_json() const {
    std::lock_guard lk(mu_);
    json out = json::array();
    for (const auto &[name, f] : fixes_)
      out.push_back({{"vessel", name}, {"lat", f.lat}, {"lon", f.lon}, {"knots", f.knots}});
    return out;
  }

private:
  mutable std::mutex mu_;
  std::map<std::string, Fix> fixes_;
};

void log_err(beast::error_code ec, const char *where) { std::cerr << "[ferry] " << where << ": " << ec.message() << "\n"; }

// Applied to every public-facing stream before the handshake.
template <class Stream>
void harden(websocket::stream<Stream> &ws) {
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type &res) { res.set(http::field::server, "ferry-tracker"); }));
}

// Onboard unit on a vessel. Units go through cellular dead zones in the
// fjord, so the link is expected to sit silent for a while.
class VesselLink : public std::enable_shared_from_this<VesselLink> {
public:
  VesselLink(tcp::socket sock, Fleet &fleet) : ws_(std::move(sock)), fleet_(fleet) {}

  void run() {
    websocket::stream_base::timeout opt{};
    opt.handshake_timeout = 20s;
    opt.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
    opt.keep_alive_pings = false;
    ws_.set_option(opt);
    ws_.async_accept(beast::bind_front_handler(&VesselLink::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return log_err(ec, "vessel accept");
    read();
  }

  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return log_err(ec, "vessel read");
      auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (j.is_object())
        self->fleet_.update({j.value("lat", 0.0), j.value("lon", 0.0), j.value("knots", 0.0), j.value("vessel", "")});
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  Fleet &fleet_;
};

// Departure boards at the terminals: one position push every 5 s.
class BoardFeed : public std::enable_shared_from_this<BoardFeed> {
public:
  BoardFeed(tcp::socket sock, Fleet &fleet) : ws_(std::move(sock)), timer_(ws_.get_executor()), fleet_(fleet) {}

  void run() {
    harden(ws_);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return log_err(ec, "board accept");
      self->push();
    });
  }

private:
  void push() {
    out_ = fleet_.to_json().dump();
    ws_.async_write(asio::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return log_err(ec, "board write");
      self->timer_.expires_after(5s);
      self->timer_.async_wait([self](beast::error_code ec) {
        if (!ec)
          self->push();
      });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  asio::steady_timer timer_;
  std::string out_;
  Fleet &fleet_;
};

// Passenger app subscription, coroutine style.
asio::awaitable<void> passenger_app(tcp::socket sock, Fleet &fleet) {
  beast::tcp_stream stream(std::move(sock));
  stream.expires_after(15s);
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, asio::use_awaitable);
  stream.expires_never();
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  co_await ws.async_accept(req, asio::use_awaitable); // expect: errorshield-ws-timeouts
  asio::steady_timer tick(co_await asio::this_coro::executor);
  for (;;) {
    co_await ws.async_write(asio::buffer(fleet.to_json().dump()), asio::use_awaitable);
    tick.expires_after(10s);
    co_await tick.async_wait(asio::use_awaitable);
  }
}

// Website map widget, same shape as the app but goes through the shared setup.
asio::awaitable<void> web_widget(tcp::socket sock, Fleet &fleet) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  harden(ws);
  co_await ws.async_accept(asio::use_awaitable);
  co_await ws.async_write(asio::buffer(fleet.to_json().dump()), asio::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, asio::use_awaitable);
}

// Harbour control ops channel. Generic so the test rig can run it over a
// plain socket.
template <class Stream>
class OpsChannel : public std::enable_shared_from_this<OpsChannel<Stream>> {
public:
  explicit OpsChannel(Stream s) : ws_(std::move(s)) {
    // harbour control keeps the console open all shift
    ws_.set_option(websocket::stream_base::timeout{30s, websocket::stream_base::none(), false}); // expect: errorshield-ws-timeouts
  }

  void run() {
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
      if (ec)
        return log_err(ec, "ops accept");
      std::cout << "[ops] harbour control attached\n";
    });
  }

private:
  websocket::stream<Stream> ws_;
};

// Pilot-boat tablets: reuse the library's defaults but allow longer silence.
asio::awaitable<void> pilot_tablet(tcp::socket sock, Fleet &fleet) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = 10min;
  ws.set_option(opt);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    buf.consume(buf.size());
  }
}

// Crew roster kiosk in the terminal back office.
asio::awaitable<void> crew_kiosk(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client)); // expect: errorshield-ws-timeouts
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, asio::use_awaitable);
}

// Coast-guard AIS feed: we are the client here.
asio::awaitable<void> ais_feed(std::string host, Fleet &fleet) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  websocket::stream<beast::tcp_stream> ws(ex);
  auto eps = co_await resolver.async_resolve(host, "80", asio::use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(eps, asio::use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  co_await ws.async_handshake(host, "/ais/v2", asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (j.is_object())
      fleet.update({j.value("lat", 0.0), j.value("lon", 0.0), j.value("sog", 0.0), j.value("name", "")});
  }
}

asio::awaitable<void> listen(unsigned short port, Fleet &fleet) {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acc(ex, {tcp::v4(), port});
  for (;;) {
    tcp::socket sock = co_await acc.async_accept(asio::use_awaitable);
    switch (port) {
    case 9500: std::make_shared<VesselLink>(std::move(sock), fleet)->run(); break;
    case 9501: std::make_shared<BoardFeed>(std::move(sock), fleet)->run(); break;
    case 9502: asio::co_spawn(ex, passenger_app(std::move(sock), fleet), asio::detached); break;
    case 9503: asio::co_spawn(ex, web_widget(std::move(sock), fleet), asio::detached); break;
    case 9504: std::make_shared<OpsChannel<beast::tcp_stream>>(beast::tcp_stream(std::move(sock)))->run(); break;
    case 9505: asio::co_spawn(ex, pilot_tablet(std::move(sock), fleet), asio::detached); break;
    default: asio::co_spawn(ex, crew_kiosk(std::move(sock)), asio::detached); break;
    }
  }
}

int main() {
  asio::io_context ioc;
  Fleet fleet;
  for (unsigned short p = 9500; p <= 9506; ++p)
    asio::co_spawn(ioc, listen(p, fleet), asio::detached);
  asio::co_spawn(ioc, ais_feed("ais.coastguard.example", fleet), asio::detached);
  ioc.run();
}
