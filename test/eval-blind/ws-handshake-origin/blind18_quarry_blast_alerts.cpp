// checks: errorshield-ws-handshake-origin
// Blast alert gateway for the quarry: pushes blast plans, countdowns and
// all-clear notices to the site office board, crew handhelds and siren panels.

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace quarry {

using Request = http::request<http::string_body>;
using WsStream = websocket::stream<beast::tcp_stream>;

struct SiteConfig {
  std::vector<std::string> allowed_origins;
  std::string portal_host;
  std::string seismo_host;
  unsigned short port = 8443;

  static SiteConfig from_file(const std::string& path) {
    std::ifstream in(path);
    auto j = json::parse(in);
    SiteConfig c;
    c.allowed_origins = j.at("allowed_origins").get<std::vector<std::string>>();
    c.portal_host = j.value("portal_host", "portal.quarry.local");
    c.seismo_host = j.value("seismo_host", "seismo.quarry.local");
    c.port = j.value("port", 8443);
    return c;
  }
};

struct GridPoint {
  double easting = 0;
  double northing = 0;
};

struct BlastPlan {
  std::string id;
  std::string bench;
  GridPoint origin;        // centre of the shot pattern
  double exclusion_m = 500;
  std::int64_t fire_at_epoch = 0;
};

inline json to_json_msg(const BlastPlan& p) {
  return {{"type", "plan"}, {"id", p.id}, {"bench", p.bench},
          {"origin", {p.origin.easting, p.origin.northing}},
          {"exclusion_m", p.exclusion_m}, {"fire_at", p.fire_at_epoch}};
}

// Geofence for the plan itself: the shot origin must lie inside the lease.
inline bool origin_inside_lease(const BlastPlan& p, const GridPoint& lease_centre, double lease_radius_m) {
  double dx = p.origin.easting - lease_centre.easting;
  double dy = p.origin.northing - lease_centre.northing;
  return std::hypot(dx, dy) + p.exclusion_m <= lease_radius_m;
}

template <class Allowed>
bool origin_listed(const Request& req, const Allowed& allowed) {
  auto o = req[http::field::origin];
  std::string_view origin(o.data(), o.size());
  return !origin.empty() &&
         std::ranges::any_of(allowed, [&](const auto& a) { return std::string_view(a) == origin; });
}

// Drill contractors' tablets open the portal under several hostnames.
inline bool from_portal(const Request& req, const SiteConfig& cfg) {
  auto o = req[http::field::origin];
  return std::string_view(o.data(), o.size()).starts_with("https://" + cfg.portal_host);
}

class AlertBus {
public:
  void subscribe(std::shared_ptr<WsStream> ws) {
    std::lock_guard lk(mu_);
    subs_.push_back(ws);
  }

  void publish(const json& msg) {
    auto frame = std::make_shared<const std::string>(msg.dump());
    std::lock_guard lk(mu_);
    std::erase_if(subs_, [](const auto& w) { return w.expired(); });
    for (auto& w : subs_) {
      if (auto ws = w.lock())
        net::post(ws->get_executor(), [this, ws, frame] { enqueue(ws, frame); });
    }
  }

  std::vector<BlastPlan> plans() const {
    std::lock_guard lk(mu_);
    return plans_;
  }

  void add_plan(BlastPlan p) {
    {
      std::lock_guard lk(mu_);
      plans_.push_back(p);
    }
    publish(to_json_msg(p));
  }

private:
  // one pending queue per stream, touched only on that stream's executor
  struct Outbox {
    std::deque<std::shared_ptr<const std::string>> q;
  };

  void enqueue(const std::shared_ptr<WsStream>& ws, std::shared_ptr<const std::string> frame) {
    auto& box = outboxes_[ws.get()];
    box.q.push_back(std::move(frame));
    if (box.q.size() == 1) flush(ws);
  }

  void flush(std::shared_ptr<WsStream> ws) {
    auto& box = outboxes_[ws.get()];
    ws->async_write(net::buffer(*box.q.front()), [this, ws](beast::error_code ec, std::size_t) {
      auto& b = outboxes_[ws.get()];
      if (ec) { b.q.clear(); return; }
      b.q.pop_front();
      if (!b.q.empty()) flush(ws);
    });
  }

  mutable std::mutex mu_;
  std::vector<std::weak_ptr<WsStream>> subs_;
  std::vector<BlastPlan> plans_;
  std::unordered_map<WsStream*, Outbox> outboxes_;  // single-threaded io_context
};

// Siren panels only go live once the blast controller arms the system for
// the shift; until then their upgrades are parked here.
class SirenPanelGate {
public:
  explicit SirenPanelGate(AlertBus& bus) : bus_(bus) {}

  void hold(std::shared_ptr<WsStream> ws, Request req) {
    std::lock_guard lk(mu_);
    parked_.push_back([this, ws, req = std::move(req)] {
      ws->async_accept(req, [this, ws](beast::error_code ec) { if (!ec) bus_.subscribe(ws); }); // expect: errorshield-ws-handshake-origin
    });
  }

  void arm() {
    std::vector<std::function<void()>> run;
    {
      std::lock_guard lk(mu_);
      run.swap(parked_);
    }
    for (auto& f : run) f();
  }

private:
  AlertBus& bus_;
  std::mutex mu_;
  std::vector<std::function<void()>> parked_;
};

net::awaitable<void> reply(beast::tcp_stream& stream, const Request& req, http::status st, std::string body = {}) {
  http::response<http::string_body> res{st, req.version()};
  res.set(http::field::content_type, body.empty() ? "text/plain" : "application/json");
  res.keep_alive(false);
  res.body() = std::move(body);
  res.prepare_payload();
  co_await http::async_write(stream, res, net::use_awaitable);
}

net::awaitable<void> keep_reading(std::shared_ptr<WsStream> ws) {
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws->async_read(buf, net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    buf.consume(n);
  }
}

net::awaitable<void> serve(tcp::socket sock, std::shared_ptr<const SiteConfig> cfg, AlertBus& bus, SirenPanelGate& gate) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  Request req;
  stream.expires_after(10s);
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  stream.expires_never();
  const std::string target(req.target());

  if (target == "/plans.json" && !websocket::is_upgrade(req)) {
    json all = json::array();
    for (auto& p : bus.plans()) all.push_back(to_json_msg(p));
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    if (origin_listed(req, cfg->allowed_origins))
      res.set(http::field::access_control_allow_origin, req[http::field::origin]);
    res.body() = all.dump();
    res.prepare_payload();
    co_await http::async_write(stream, res, net::use_awaitable);
    co_return;
  }
  if (!websocket::is_upgrade(req)) {
    co_await reply(stream, req, http::status::bad_request);
    co_return;
  }

  // refuse before upgrading so the client gets a plain 403
  if (target == "/alerts" && !origin_listed(req, cfg->allowed_origins)) {
    co_await reply(stream, req, http::status::forbidden);
    co_return;
  }
  if (target == "/contractors" && !from_portal(req, *cfg)) {
    co_await reply(stream, req, http::status::forbidden);
    co_return;
  }
  if (target == "/crew") {
    // handhelds load the PWA from the site portal
    auto host = req[http::field::host];
    if (std::string_view(host.data(), host.size()) != cfg->portal_host) {
      co_await reply(stream, req, http::status::forbidden);
      co_return;
    }
  }

  auto ws = std::make_shared<WsStream>(stream.release_socket());
  ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws->text(true);

  if (target == "/alerts") {
    co_await ws->async_accept(req, net::use_awaitable);
    bus.subscribe(ws);
    co_await keep_reading(ws);
  } else if (target == "/crew") {
    co_await ws->async_accept(req, net::use_awaitable); // expect: errorshield-ws-handshake-origin
    bus.subscribe(ws);
    co_await keep_reading(ws);
  } else if (target == "/contractors") {
    co_await ws->async_accept(req, net::use_awaitable); // expect: errorshield-ws-handshake-origin
    bus.subscribe(ws);
    co_await keep_reading(ws);
  } else if (target == "/board") {
    // wall display in the site office
    co_await ws->async_accept(req, net::use_awaitable); // expect: errorshield-ws-handshake-origin
    for (auto& p : bus.plans()) {
      auto frame = to_json_msg(p).dump();
      co_await ws->async_write(net::buffer(frame), net::use_awaitable);
    }
    bus.subscribe(ws);
    co_await keep_reading(ws);
  } else if (target == "/siren") {
    gate.hold(ws, std::move(req));
  }
}

// Ground vibration readings from the seismograph vendor's cloud. We are the
// client here and identify ourselves with our portal origin.
net::awaitable<void> follow_seismo(std::shared_ptr<const SiteConfig> cfg, AlertBus& bus) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  WsStream ws(ex);
  auto eps = co_await resolver.async_resolve(cfg->seismo_host, "443", net::use_awaitable);
  beast::get_lowest_layer(ws).expires_after(15s);
  co_await beast::get_lowest_layer(ws).async_connect(eps, net::use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws.set_option(websocket::stream_base::decorator([cfg](websocket::request_type& r) {
    r.set(http::field::origin, "https://" + cfg->portal_host);
  }));
  co_await ws.async_handshake(cfg->seismo_host, "/v2/stream", net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (j.is_object() && j.value("ppv_mm_s", 0.0) > 12.5)
      bus.publish({{"type", "vibration"}, {"station", j.value("station", "")}, {"ppv", j["ppv_mm_s"]}});
  }
}

net::awaitable<void> listen(tcp::acceptor acceptor, std::shared_ptr<const SiteConfig> cfg, AlertBus& bus, SirenPanelGate& gate) {
  for (;;) {
    auto sock = co_await acceptor.async_accept(net::use_awaitable);
    auto ex = sock.get_executor();
    net::co_spawn(ex, serve(std::move(sock), cfg, bus, gate), net::detached);
  }
}

void start(net::io_context& ioc, const std::string& config_path, AlertBus& bus, SirenPanelGate& gate) {
  auto cfg = std::make_shared<const SiteConfig>(SiteConfig::from_file(config_path));
  tcp::acceptor acc(ioc, {tcp::v4(), cfg->port});
  net::co_spawn(ioc, listen(std::move(acc), cfg, bus, gate), net::detached);
  net::co_spawn(ioc, follow_seismo(cfg, bus), net::detached);
}

} // namespace quarry
