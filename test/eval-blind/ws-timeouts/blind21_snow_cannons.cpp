// checks: errorshield-ws-timeouts
// Snow cannon controller for a ski resort: each cannon's PLC gateway keeps
// a WebSocket open to report wet-bulb temperature and nozzle pressure and
// receive on/off commands; the groomers' tablets and the ops dashboard
// connect to the same server.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace snow {

struct CannonState {
  double wet_bulb_c = 0.0;
  double pressure_bar = 0.0;
  bool running = false;
};

inline std::map<std::string, CannonState> &fleet() {
  static std::map<std::string, CannonState> f;
  return f;
}

inline void apply_report(const std::string &text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.contains("id"))
    return;
  auto &c = fleet()[j["id"].get<std::string>()];
  c.wet_bulb_c = j.value("wet_bulb", c.wet_bulb_c);
  c.pressure_bar = j.value("pressure", c.pressure_bar);
}

// PLC gateways sit on the mountain LTE link; they go quiet when the mast
// loses power, so we keep pinging.
class GatewaySession : public std::enable_shared_from_this<GatewaySession> {
public:
  explicit GatewaySession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout{15s, websocket::stream_base::none(), true}); // expect: errorshield-ws-timeouts
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      apply_report(beast::buffers_to_string(self->buf_.data()));
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Newer gateway firmware: same protocol, sane timeouts.
class GatewaySessionV2 : public std::enable_shared_from_this<GatewaySessionV2> {
public:
  explicit GatewaySessionV2(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      apply_report(beast::buffers_to_string(self->buf_.data()));
      self->buf_.clear();
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Groomer tablets: short bursts of commands, coroutine based.
asio::awaitable<void> groomer_session(tcp::socket s) {
  websocket::stream<tcp::socket> ws(std::move(s));
  co_await ws.async_accept(asio::use_awaitable); // expect: errorshield-ws-timeouts
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    std::cout << "groomer: " << beast::buffers_to_string(buf.data()) << "\n";
    buf.clear();
  }
}

asio::awaitable<void> groomer_session_v2(tcp::socket s) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  websocket::stream_base::timeout opt{10s, 90s, true};
  ws.set_option(opt);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    buf.clear();
  }
}

// Ops dashboard over TLS; the dashboards sit open on a wall display all
// season so someone turned the idle timer off to stop reconnect storms.
template <class Stream>
void configure_dashboard(Stream &ws) {
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
  ws.set_option(opt);
}

template <class Stream>
void configure_dashboard_v2(Stream &ws) {
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = 2min;
  opt.keep_alive_pings = true;
  ws.set_option(opt);
}

void serve_dashboard(ssl::context &ctx, tcp::socket s, bool v2) {
  auto ws = std::make_shared<websocket::stream<ssl::stream<beast::tcp_stream>>>(std::move(s), ctx);
  if (v2)
    configure_dashboard_v2(*ws);
  else
    configure_dashboard(*ws);
  ws->next_layer().async_handshake(ssl::stream_base::server, [ws](beast::error_code ec) {
    if (ec)
      return;
    beast::get_lowest_layer(*ws).expires_never();
    ws->async_accept([ws](beast::error_code ec) {
      if (!ec)
        std::cout << "dashboard connected\n";
    });
  });
}

// Snow-depth radar integration: the vendor box is slow to answer pings.
class RadarLink {
public:
  explicit RadarLink(tcp::socket s) : ws_(std::move(s)) {}

  void accept() {
    websocket::stream_base::timeout t;
    t.handshake_timeout = 30s;
    t.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
    t.keep_alive_pings = false;
    ws_.set_option(t);
    ws_.async_accept([](beast::error_code) {});
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
};

// Weather station uplink: the server is the client here.
asio::awaitable<void> fetch_forecast(tcp::socket s) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  co_await ws.async_handshake("wx.resort.example", "/forecast", asio::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, asio::use_awaitable);
}

void accept_gateways(tcp::acceptor &acc, bool legacy) {
  acc.async_accept([&acc, legacy](beast::error_code ec, tcp::socket s) {
    if (!ec) {
      if (legacy)
        std::make_shared<GatewaySession>(std::move(s))->start();
      else
        std::make_shared<GatewaySessionV2>(std::move(s))->start();
    }
    accept_gateways(acc, legacy);
  });
}

} // namespace snow

int main() {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 9100});
  snow::accept_gateways(acc, true);

  asio::co_spawn(ioc, snow::groomer_session(tcp::socket(ioc)), asio::detached);
  asio::co_spawn(ioc, snow::groomer_session_v2(tcp::socket(ioc)), asio::detached);
  asio::co_spawn(ioc, snow::fetch_forecast(tcp::socket(ioc)), asio::detached);

  ssl::context ctx(ssl::context::tls_server);
  snow::serve_dashboard(ctx, tcp::socket(ioc), false);
  snow::serve_dashboard(ctx, tcp::socket(ioc), true);

  snow::RadarLink radar{tcp::socket(ioc)};
  radar.accept();
  ioc.run();
}
