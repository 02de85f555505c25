// checks: errorshield-unlocked-shared-map
// Smart-home hub.  Phone apps and wall panels connect over WebSocket; each connection
// is a stackful coroutine (asio::spawn) on an io_context driven by four threads.  A
// separate std::thread polls Zigbee devices, and another evaluates automations.
// State is kept in plain structs passed by reference to free functions.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using json = nlohmann::json;

struct device_state {
  std::string label;
  std::string kind;
  int level = 0;    // dimmer %, thermostat setpoint in 0.1 C, ...
  int battery = -1; // percent, -1 for mains-powered
  bool online = false;
};

struct conn_state {
  std::string user;
  std::string room_filter;
  std::chrono::steady_clock::time_point opened;
};

struct hub_state {
  std::shared_mutex devices_mu;
  std::unordered_map<std::string, device_state> devices;

  std::mutex conns_mu;
  std::map<int, conn_state> conns;
  std::atomic<int> next_conn{1};

  asio::strand<asio::io_context::executor_type> rules_strand;
  std::multimap<std::string, std::string> rules; // trigger device -> scene; rules_strand only

  explicit hub_state(asio::io_context &ioc) : rules_strand(asio::make_strand(ioc)) {}
};

// Scene definitions downloaded from the cloud account, cached per scene name.
std::unordered_map<std::string, json> g_scene_cache;
std::mutex g_scene_mu;

// Fixed table, never modified after static initialisation.
static const std::unordered_map<std::string, int> k_kind_poll_secs = {
    {"thermostat", 60}, {"contact", 300}, {"bulb", 120}, {"lock", 30}};

json fetch_scene_from_cloud(const std::string &name);
int zigbee_read_battery(const std::string &device_id);
void zigbee_send_level(const std::string &device_id, int level);

// ---------------------------------------------------------------------------
// Device table helpers

bool set_level(hub_state &hub, const std::string &id, int level) {
  std::unique_lock lk(hub.devices_mu);
  auto it = hub.devices.find(id);
  if (it == hub.devices.end())
    return false;
  it->second.level = level;
  lk.unlock();
  zigbee_send_level(id, level);
  return true;
}

json list_devices(hub_state &hub, const std::string &room_filter) {
  json out = json::array();
  std::shared_lock lk(hub.devices_mu);
  for (auto &[id, d] : hub.devices) {
    if (!room_filter.empty() && d.label.rfind(room_filter, 0) != 0)
      continue;
    out.push_back({{"id", id}, {"label", d.label}, {"level", d.level}, {"online", d.online}});
  }
  return out;
}

// The rename path was added later for the wall-panel editor.  It writes the
// label straight into the table while the poller and list_devices iterate it.
void rename_device(hub_state &hub, const std::string &id, std::string label) {
  if (label.empty() || label.size() > 64)
    return;
  hub.devices[id].label = std::move(label); // expect: errorshield-unlocked-shared-map
}

// Scenes: cache lookup hidden in a helper that every "run_scene" command uses.
json load_scene(const std::string &name) {
  {
    std::lock_guard lk(g_scene_mu);
    auto it = g_scene_cache.find(name);
    if (it != g_scene_cache.end())
      return it->second;
  }
  json scene = fetch_scene_from_cloud(name);
  // Lock was released for the slow cloud call and never re-taken for the insert.
  g_scene_cache.emplace(name, scene); // expect: errorshield-unlocked-shared-map
  return scene;
}

void invalidate_scene(const std::string &name) {
  std::lock_guard lk(g_scene_mu);
  g_scene_cache.erase(name);
}

// Automations run on rules_strand, so the multimap needs no mutex.
void on_device_changed(hub_state &hub, std::string device_id) {
  asio::post(hub.rules_strand, [&hub, device_id = std::move(device_id)] {
    auto [b, e] = hub.rules.equal_range(device_id);
    for (auto it = b; it != e; ++it)
      load_scene(it->second);
  });
}

void add_rule(hub_state &hub, std::string trigger, std::string scene) {
  asio::dispatch(hub.rules_strand, [&hub, t = std::move(trigger), s = std::move(scene)] {
    hub.rules.emplace(t, s);
  });
}

// ---------------------------------------------------------------------------
// Per-connection stackful coroutine

void handle_client(hub_state &hub, tcp::socket sock, asio::yield_context yield) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  const int conn_id = hub.next_conn++;
  // Commands awaiting a device echo, local to this coroutine.
  std::map<std::string, int> pending_echo;
  try {
    ws.async_accept(yield);
    {
      std::lock_guard lk(hub.conns_mu);
      hub.conns.emplace(conn_id, conn_state{"", "", std::chrono::steady_clock::now()});
    }
    beast::flat_buffer buf;
    for (;;) {
      buf.clear();
      ws.async_read(buf, yield);
      json cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
      if (cmd.is_discarded())
        continue;
      const std::string op = cmd.value("op", "");
      std::string reply;
      if (op == "set") {
        pending_echo[cmd["id"]] = cmd["level"];
        reply = set_level(hub, cmd["id"], cmd["level"]) ? "ok" : "unknown";
      } else if (op == "list") {
        std::string filter;
        {
          std::lock_guard lk(hub.conns_mu);
          filter = hub.conns.at(conn_id).room_filter;
        }
        reply = list_devices(hub, filter).dump();
      } else if (op == "rename") {
        rename_device(hub, cmd["id"], cmd["label"]);
        reply = "ok";
      } else if (op == "scene") {
        reply = load_scene(cmd["name"]).dump();
      }
      ws.text(true);
      ws.async_write(asio::buffer(reply), yield);
    }
  } catch (const boost::system::system_error &e) {
    if (e.code() == websocket::error::closed) {
      std::lock_guard lk(hub.conns_mu);
      hub.conns.erase(conn_id);
      return;
    }
    // Abnormal disconnect (Wi-Fi drop on the phone): cleanup done in a hurry.
    hub.conns.erase(conn_id); // expect: errorshield-unlocked-shared-map
  }
}

// ---------------------------------------------------------------------------
// Background workers

// Zigbee poller thread.  Battery updates go through the exclusive lock, but the
// "is this device still paired" check before the radio call does not lock.
void poll_once(hub_state &hub, const std::vector<std::string> &ids) {
  for (const auto &id : ids) {
    if (hub.devices.find(id) == hub.devices.end()) // expect: errorshield-unlocked-shared-map
      continue;
    int pct = zigbee_read_battery(id);
    std::unique_lock lk(hub.devices_mu);
    auto it = hub.devices.find(id);
    if (it != hub.devices.end()) {
      it->second.battery = pct;
      it->second.online = pct >= 0;
    }
  }
}

std::vector<std::string> device_ids(hub_state &hub) {
  std::vector<std::string> ids;
  std::shared_lock lk(hub.devices_mu);
  ids.reserve(hub.devices.size());
  for (auto &kv : hub.devices)
    ids.push_back(kv.first);
  return ids;
}

int poll_interval_for(const std::string &kind) {
  auto it = k_kind_poll_secs.find(kind); // const table, safe to read concurrently
  return it == k_kind_poll_secs.end() ? 600 : it->second;
}

void poller_main(hub_state &hub, std::atomic<bool> &stop) {
  while (!stop) {
    poll_once(hub, device_ids(hub));
    std::this_thread::sleep_for(std::chrono::seconds(poll_interval_for("contact")));
  }
}

void accept_loop(asio::io_context &ioc, hub_state &hub, tcp::acceptor &acc,
                 asio::yield_context yield) {
  for (;;) {
    tcp::socket s = acc.async_accept(yield);
    asio::spawn(
        ioc, [&hub, s = std::move(s)](asio::yield_context y) mutable {
          handle_client(hub, std::move(s), y);
        },
        asio::detached);
  }
}

int main() {
  asio::io_context ioc;
  hub_state hub(ioc);
  // Single-threaded start-up: pairing table loaded before any worker exists.
  hub.devices.emplace("hall-light", device_state{"Hall light", "bulb", 0, -1, true});
  hub.devices.emplace("front-door", device_state{"Front door", "lock", 0, 87, true});

  tcp::acceptor acc(ioc, {tcp::v4(), 8443});
  asio::spawn(ioc, [&](asio::yield_context y) { accept_loop(ioc, hub, acc, y); },
              asio::detached);

  std::atomic<bool> stop{false};
  std::thread poller([&] { poller_main(hub, stop); });
  std::vector<std::thread> pool;
  for (int i = 0; i < 4; ++i)
    pool.emplace_back([&] { ioc.run(); });
  for (auto &t : pool)
    t.join();
  stop = true;
  poller.join();
}
