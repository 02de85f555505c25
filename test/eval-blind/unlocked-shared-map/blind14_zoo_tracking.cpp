// checks: errorshield-unlocked-shared-map
// Zoo animal tracking hub: GPS/BLE collars report positions over WebSocket,
// keepers' handhelds subscribe for geofence alerts, the vet office posts notes
// over HTTP. One io_context, run by a pool of threads.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace zoo {

struct Position {
  std::string animal;
  double lat = 0, lon = 0;
  std::chrono::steady_clock::time_point at;
};

struct Zone {
  double lat0, lon0, lat1, lon1;
  bool contains(const Position& p) const { return p.lat >= lat0 && p.lat <= lat1 && p.lon >= lon0 && p.lon <= lon1; }
};

class KeeperSession;

// Shared between every collar and keeper connection.
struct HubState {
  std::mutex mu;
  std::unordered_map<std::string, int> breaches;  // animal -> geofence breaches today
  std::unordered_map<std::string, Zone> zones;     // animal -> allowed enclosure
};

class Tracker {
 public:
  explicit Tracker(asio::io_context& ioc) : sweep_(ioc) {
    home_["okapi-02"] = "rainforest"; // OK: constructor, before the pool starts
    home_["lion-07"] = "savanna";
  }

  void update(const Position& p) {
    std::scoped_lock lk(mu_);
    last_seen_[p.animal] = p; // OK
  }

  void add_keeper(const std::string& id, std::shared_ptr<KeeperSession> s) {
    auto lk = guard();
    keepers_.emplace(id, std::move(s)); // OK: lock taken by guard()
  }

  void remove_keeper(const std::string& id) {
    auto lk = guard();
    keepers_.erase(id);
  }

  std::map<std::string, Position> snapshot_excluding(const std::string& animal) {
    std::map<std::string, Position> snap;
    {
      std::scoped_lock lk(mu_);
      snap.insert(last_seen_.begin(), last_seen_.end());
    }
    snap.erase(animal); // OK: private copy
    return snap;
  }

  void start_sweeper() {
    sweep_.expires_after(30s);
    sweep_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      for (auto it = keepers_.begin(); it != keepers_.end();) {
        if (it->second.use_count() == 1) it = keepers_.erase(it); // expect: errorshield-unlocked-shared-map
        else ++it;
      }
      start_sweeper();
    });
  }

  std::function<void()> forget_on_close(std::string animal) {
    return [this, animal] { last_seen_.erase(animal); }; // expect: errorshield-unlocked-shared-map
  }

 private:
  std::unique_lock<std::mutex> guard() { return std::unique_lock<std::mutex>(mu_); }

  std::mutex mu_;
  std::unordered_map<std::string, Position> last_seen_;
  std::map<std::string, std::shared_ptr<KeeperSession>> keepers_;
  std::map<std::string, std::string> home_;
  asio::steady_timer sweep_;
};

class KeeperSession : public std::enable_shared_from_this<KeeperSession> {
 public:
  explicit KeeperSession(tcp::socket s) : ws_(std::move(s)) {}
  websocket::stream<beast::tcp_stream>& ws() { return ws_; }

 private:
  websocket::stream<beast::tcp_stream> ws_;
};

// ---------------------------------------------------------------------------
// Collar sessions (coroutines on the shared io_context)
// ---------------------------------------------------------------------------
Position parse_fix(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return {};
  return Position{j.value("id", ""), j.value("lat", 0.0), j.value("lon", 0.0), std::chrono::steady_clock::now()};
}

asio::awaitable<void> collar_session(websocket::stream<beast::tcp_stream> ws, Tracker* tracker, HubState* hub) {
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  std::function<void()> on_close;
  try {
    for (;;) {
      co_await ws.async_read(buf, asio::use_awaitable);
      Position p = parse_fix(beast::buffers_to_string(buf.data()));
      buf.consume(buf.size());
      if (p.animal.empty()) continue;
      if (!on_close) on_close = tracker->forget_on_close(p.animal);
      tracker->update(p);
      auto zone = hub->zones.find(p.animal);
      if (zone != hub->zones.end() && !zone->second.contains(p))
        hub->breaches[p.animal] += 1; // expect: errorshield-unlocked-shared-map
    }
  } catch (const beast::system_error&) {
  }
  if (on_close) on_close();
}

// Newer BLE collars for the reptile house; written with the lock.
asio::awaitable<void> ble_collar_session(websocket::stream<beast::tcp_stream> ws, Tracker& tracker, HubState& hub) {
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  beast::error_code ec;
  for (;;) {
    co_await ws.async_read(buf, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    Position p = parse_fix(beast::buffers_to_string(buf.data()));
    buf.consume(buf.size());
    tracker.update(p);
    std::lock_guard lk(hub.mu);
    auto zone = hub.zones.find(p.animal);
    if (zone != hub.zones.end() && !zone->second.contains(p)) ++hub.breaches[p.animal]; // OK
  }
}

void assign_zone(HubState& hub, const std::string& animal, Zone z) {
  std::lock_guard lk(hub.mu);
  hub.zones.insert_or_assign(animal, z); // OK
}

// ---------------------------------------------------------------------------
// Vet office HTTP endpoint
// ---------------------------------------------------------------------------
std::mutex g_vet_mu;
std::unordered_map<std::string, std::string> g_vet_notes;   // animal -> latest note
std::unordered_map<std::string, int> g_feed_counts;         // animal -> feeds today

http::response<http::string_body> handle_vet(const http::request<http::string_body>& req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  auto body = json::parse(req.body(), nullptr, false);
  if (body.is_discarded() || !body.contains("animal")) {
    res.result(http::status::bad_request);
    return res;
  }
  const std::string animal = body["animal"].get<std::string>();
  if (body.contains("note")) {
    std::lock_guard lk(g_vet_mu);
    g_vet_notes.insert_or_assign(animal, body["note"].get<std::string>()); // OK
  }
  if (body.value("fed", false)) {
    g_feed_counts[animal]++; // expect: errorshield-unlocked-shared-map
  }
  res.body() = json{{"ok", true}}.dump();
  res.prepare_payload();
  return res;
}

void vet_session(std::shared_ptr<beast::tcp_stream> stream) {
  auto buf = std::make_shared<beast::flat_buffer>();
  auto req = std::make_shared<http::request<http::string_body>>();
  http::async_read(*stream, *buf, *req, [stream, buf, req](beast::error_code ec, std::size_t) {
    if (ec) return;
    auto res = std::make_shared<http::response<http::string_body>>(handle_vet(*req));
    http::async_write(*stream, *res, [stream, res](beast::error_code, std::size_t) {
      beast::error_code ignored;
      stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    });
  });
}

void run_hub(unsigned short port) {
  asio::io_context ioc{4};
  Tracker tracker(ioc);
  HubState hub;
  assign_zone(hub, "lion-07", Zone{51.5350, -0.1570, 51.5360, -0.1550});
  tracker.start_sweeper();
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    for (;;) {
      tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
      asio::co_spawn(ioc, collar_session(websocket::stream<beast::tcp_stream>(std::move(s)), &tracker, &hub), asio::detached);
    }
  }, asio::detached);
  tcp::acceptor vet_acc(ioc, {tcp::v4(), static_cast<unsigned short>(port + 1)});
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    for (;;) {
      tcp::socket s = co_await vet_acc.async_accept(asio::use_awaitable);
      vet_session(std::make_shared<beast::tcp_stream>(std::move(s)));
    }
  }, asio::detached);
  std::vector<std::thread> pool;
  for (int i = 0; i < 4; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  for (auto& t : pool) t.join();
}

}  // namespace zoo
