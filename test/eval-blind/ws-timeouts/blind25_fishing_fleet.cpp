// checks: errorshield-ws-timeouts
// Fishing fleet tracker: trawlers report position and catch over satellite
// WebSocket links, the harbour office watches the live map, and quota
// alerts are relayed to the fisheries authority.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace fleet {

struct VesselReport {
  std::string vessel;
  double lat = 0;
  double lon = 0;
  int catch_kg = 0;
};

class FleetState {
public:
  void update(const VesselReport& r) {
    std::lock_guard lk(mu_);
    last_[r.vessel] = r;
    total_catch_[r.vessel] += r.catch_kg;
  }
  json map_json() {
    std::lock_guard lk(mu_);
    json j = json::array();
    for (const auto& [v, r] : last_) j.push_back({{"vessel", v}, {"lat", r.lat}, {"lon", r.lon}});
    return j;
  }
  int catch_of(const std::string& v) {
    std::lock_guard lk(mu_);
    return total_catch_[v];
  }

private:
  std::mutex mu_;
  std::map<std::string, VesselReport> last_;
  std::map<std::string, int> total_catch_;
};

VesselReport parse_report(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  VesselReport r;
  if (j.is_discarded()) return r;
  r.vessel = j.value("vessel", "");
  r.lat = j.value("lat", 0.0);
  r.lon = j.value("lon", 0.0);
  r.catch_kg = j.value("catch_kg", 0);
  return r;
}

// Trawler uplink. Satellite links drop silently, so each session relies on
// the websocket keep-alive pings to notice dead boats.
class VesselSession : public std::enable_shared_from_this<VesselSession> {
public:
  VesselSession(tcp::socket s, FleetState& st) : ws_(std::move(s)), state_(st) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&VesselSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    read();
  }
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->state_.update(parse_report(beast::buffers_to_string(self->buf_.data())));
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  FleetState& state_;
};

// Harbour office live map. Browsers send a subscribe message and then only
// listen.
class HarbourMapSession : public std::enable_shared_from_this<HarbourMapSession> {
public:
  HarbourMapSession(tcp::socket s, FleetState& st) : ws_(std::move(s)), state_(st) {}

  void run(http::request<http::string_body> req) {
    req_ = std::move(req);
    beast::get_lowest_layer(ws_).expires_never();
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-timeouts
      if (!ec) self->push_map();
    });
  }

private:
  void push_map() {
    out_ = state_.map_json().dump();
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->ws_.async_read(self->buf_, [self](beast::error_code ec2, std::size_t) {
        if (!ec2) self->push_map();
      });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  http::request<http::string_body> req_;
  beast::flat_buffer buf_;
  std::string out_;
  FleetState& state_;
};

// Coroutine path for the new AIS gateway boxes on the breakwater.
net::awaitable<void> ais_gateway(tcp::socket sock, FleetState& st) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout{30s, websocket::stream_base::none(), false}); // expect: errorshield-ws-timeouts
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer b;
  for (;;) {
    co_await ws.async_read(b, net::use_awaitable);
    st.update(parse_report(beast::buffers_to_string(b.data())));
    b.consume(b.size());
  }
}

// Bait and ice suppliers post delivery slots for boats coming in.
net::awaitable<void> supplier_feed(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable); // expect: errorshield-ws-timeouts
  beast::flat_buffer b;
  for (;;) {
    co_await ws.async_read(b, net::use_awaitable);
    std::clog << "supplier slot: " << beast::buffers_to_string(b.data()) << '\n';
    b.consume(b.size());
  }
}

// Coastguard feed: tighter idle limit than the default.
net::awaitable<void> coastguard_feed(tcp::socket sock, FleetState& st) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout{20s, 60s, true});
  co_await ws.async_accept(net::use_awaitable);
  for (;;) {
    co_await ws.async_write(net::buffer(st.map_json().dump()), net::use_awaitable);
    net::steady_timer t(co_await net::this_coro::executor, 10s);
    co_await t.async_wait(net::use_awaitable);
  }
}

// Quota inspectors' tablets; long offshore shifts, so the idle limit is
// relaxed but not removed.
class InspectorSession : public std::enable_shared_from_this<InspectorSession> {
public:
  InspectorSession(tcp::socket s, FleetState& st) : ws_(std::move(s)), state_(st) {}

  void run() {
    auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
    opt.idle_timeout = std::chrono::minutes(15);
    ws_.set_option(opt);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) std::clog << "inspector online\n";
    });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  FleetState& state_;
};

// Skippers' chat relay. Chat can be quiet for hours, so the idle limit is
// switched off for this endpoint.
class SkipperChat : public std::enable_shared_from_this<SkipperChat> {
public:
  explicit SkipperChat(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
    opt.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
    ws_.set_option(opt);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->ws_.async_read(self->buf_, [self](beast::error_code, std::size_t) {});
    });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Generic session used for both the plain and the TLS listener of the
// processing plant's weigh-station feed.
template <class Stream>
class WeighStationSession : public std::enable_shared_from_this<WeighStationSession<Stream>> {
public:
  explicit WeighStationSession(Stream s) : ws_(std::move(s)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client)); // expect: errorshield-ws-timeouts
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->ws_.async_read(self->buf_, [self](beast::error_code, std::size_t) {});
    });
  }

private:
  websocket::stream<Stream> ws_;
  beast::flat_buffer buf_;
};

// Outbound relay to the fisheries authority (we are the client here).
net::awaitable<void> relay_quota_alert(std::string host, json alert) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  websocket::stream<beast::tcp_stream> ws(ex);
  auto eps = co_await resolver.async_resolve(host, "443", net::use_awaitable);
  beast::get_lowest_layer(ws).expires_after(15s);
  co_await beast::get_lowest_layer(ws).async_connect(eps, net::use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  co_await ws.async_handshake(host, "/quota", net::use_awaitable);
  co_await ws.async_write(net::buffer(alert.dump()), net::use_awaitable);
  co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
}

net::awaitable<void> listen(tcp::acceptor acc, FleetState& st) {
  for (;;) {
    auto s = co_await acc.async_accept(net::use_awaitable);
    std::make_shared<VesselSession>(std::move(s), st)->run();
  }
}

}  // namespace fleet

int main() {
  net::io_context ioc;
  fleet::FleetState st;
  net::co_spawn(ioc, fleet::listen(tcp::acceptor(ioc, {tcp::v4(), 7700}), st), net::detached);
  std::make_shared<fleet::WeighStationSession<beast::tcp_stream>>(beast::tcp_stream(ioc))->run();
  std::make_shared<fleet::HarbourMapSession>(tcp::socket(ioc), st)->run({});
  std::make_shared<fleet::SkipperChat>(tcp::socket(ioc))->run();
  ioc.run();
}
