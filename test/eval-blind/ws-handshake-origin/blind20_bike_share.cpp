// checks: errorshield-ws-handshake-origin
// Bike-share dock status gateway: the rider app map, the operator console and
// the rebalancing-van tablets subscribe to live dock availability.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

struct DockStatus {
  std::string station_id;
  int bikes_available = 0;
  int docks_available = 0;
  bool renting = true;
};

class DockTable {
public:
  void update(const DockStatus &s) {
    std::lock_guard<std::mutex> lk(mu_);
    docks_[s.station_id] = s;
  }
  json snapshot() const {
    std::lock_guard<std::mutex> lk(mu_);
    json out = json::array();
    for (const auto &[id, s] : docks_)
      out.push_back({{"station", id}, {"bikes", s.bikes_available}, {"docks", s.docks_available}});
    return out;
  }

private:
  mutable std::mutex mu_;
  std::map<std::string, DockStatus> docks_;
};

using Request = http::request<http::string_body>;
using TlsWs = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

static const std::vector<std::string> kRiderOrigins = {"https://map.citybikes.example",
                                                       "https://m.citybikes.example"};

// Rider map over TLS: TLS handshake, read upgrade request, then the WS handshake.
class RiderMapSession : public std::enable_shared_from_this<RiderMapSession> {
public:
  RiderMapSession(tcp::socket sock, ssl::context &ctx, DockTable &docks)
      : ws_(std::move(sock), ctx), docks_(docks) {}

  void run() {
    ws_.next_layer().async_handshake(ssl::stream_base::server,
        [self = shared_from_this()](beast::error_code ec) {
          if (ec) return;
          http::async_read(self->ws_.next_layer(), self->buf_, self->req_,
              [self](beast::error_code ec, std::size_t) {
                if (ec) return;
                self->ws_.async_accept(self->req_, [self](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
                  if (!ec) self->push_snapshot();
                });
              });
        });
  }

private:
  void push_snapshot() {
    out_ = docks_.snapshot().dump();
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  TlsWs ws_;
  DockTable &docks_;
  beast::flat_buffer buf_;
  Request req_;
  std::string out_;
};

// Partner embed (city transit site) over TLS; origin must be on the rider list.
class PartnerEmbedSession : public std::enable_shared_from_this<PartnerEmbedSession> {
public:
  PartnerEmbedSession(tcp::socket sock, ssl::context &ctx) : ws_(std::move(sock), ctx) {}

  void run() {
    ws_.next_layer().async_handshake(ssl::stream_base::server,
        [self = shared_from_this()](beast::error_code ec) {
          if (ec) return;
          http::async_read(self->ws_.next_layer(), self->buf_, self->req_,
              [self](beast::error_code ec, std::size_t) { self->on_request(ec); });
        });
  }

  void on_request(beast::error_code ec) {
    if (ec) return;
    auto is_trusted = [](beast::string_view o) {
      for (const auto &allowed : kRiderOrigins)
        if (o == allowed) return true;
      return false;
    };
    if (!is_trusted(req_[http::field::origin])) return;
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code) {});
  }

  TlsWs ws_;
  beast::flat_buffer buf_;
  Request req_;
};

// Plain-TCP listener for the in-depot network: sockets go straight to a WS handshake.
void depot_accept_loop(tcp::acceptor &acc, DockTable &docks) {
  acc.async_accept([&acc, &docks](beast::error_code ec, tcp::socket sock) {
    if (!ec) {
      auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(sock));
      ws->async_accept([ws, &docks](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
        if (ec) return;
        ws->text(true);
        ws->write(net::buffer(docks.snapshot().dump()));
      });
    }
    depot_accept_loop(acc, docks);
  });
}

// Operator console: different paths share one listener.
void console_session(tcp::socket sock, DockTable &docks) {
  beast::flat_buffer buf;
  Request req;
  http::read(sock, buf, req);
  websocket::stream<tcp::socket> ws(std::move(sock));
  if (req.target() == "/ops/rebalance") {
    if (req[http::field::origin] != "https://ops.citybikes.example") return;
    ws.accept(req);
  } else {
    ws.accept(req); // expect: errorshield-ws-handshake-origin
  }
  ws.write(net::buffer(docks.snapshot().dump()));
}

// Van tablets: the "trusted" check looks at the Host header.
void van_tablet_session(tcp::socket sock, DockTable &docks) {
  beast::flat_buffer buf;
  Request req;
  http::read(sock, buf, req);
  if (req[http::field::host] != "vans.citybikes.example") return;
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(req); // expect: errorshield-ws-handshake-origin
  ws.write(net::buffer(docks.snapshot().dump()));
}

// Station kiosk screens (coroutine).
net::awaitable<void> kiosk_session(tcp::socket sock, DockTable &docks) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  Request req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable); // expect: errorshield-ws-handshake-origin
  co_await ws.async_write(net::buffer(docks.snapshot().dump()), net::use_awaitable);
}

// Maintenance dashboard (coroutine) with a strict Origin policy.
net::awaitable<void> maintenance_session(tcp::socket sock, DockTable &docks) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  Request req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  if (req.count(http::field::origin) == 0 ||
      req[http::field::origin] != "https://maint.citybikes.example")
    co_return;
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable);
  co_await ws.async_write(net::buffer(docks.snapshot().dump()), net::use_awaitable);
}

// GBFS-style REST endpoint: plain HTTP, no upgrade involved.
void gbfs_status(tcp::socket sock, DockTable &docks) {
  beast::flat_buffer buf;
  Request req;
  http::read(sock, buf, req);
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::access_control_allow_origin, "*");
  res.body() = json{{"data", docks.snapshot()}}.dump();
  res.prepare_payload();
  http::write(sock, res);
}

// Upstream feed from the dock hardware vendor (we dial out as a WS client).
net::awaitable<void> vendor_feed(tcp::socket sock, DockTable &docks) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_handshake("feed.dockvendor.example", "/v2/stations", net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (j.is_discarded()) continue;
    docks.update({j.value("id", ""), j.value("bikes", 0), j.value("docks", 0), j.value("renting", true)});
  }
}

int main() {
  net::io_context ioc;
  ssl::context ctx(ssl::context::tlsv12_server);
  DockTable docks;
  tcp::acceptor acc(ioc, {tcp::v4(), 9090});
  depot_accept_loop(acc, docks);
  std::make_shared<RiderMapSession>(tcp::socket(ioc), ctx, docks)->run();
  std::make_shared<PartnerEmbedSession>(tcp::socket(ioc), ctx)->run();
  net::co_spawn(ioc, kiosk_session(tcp::socket(ioc), docks), net::detached);
  net::co_spawn(ioc, maintenance_session(tcp::socket(ioc), docks), net::detached);
  net::co_spawn(ioc, vendor_feed(tcp::socket(ioc), docks), net::detached);
  ioc.run();
}
