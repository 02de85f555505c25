// checks: errorshield-unlocked-shared-map
// Irrigation valve controller for the orchard blocks. A sensor thread polls the soil
// moisture probes, an HTTP API (Beast) lets the farm office open/close valves, and
// schedule timers fire on a small io_context thread pool.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <functional>
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
using json = nlohmann::json;
using boost::system::error_code;

namespace irrigation {

struct ValveState {
  bool open = false;
  int flow_lpm = 0;
  std::chrono::steady_clock::time_point opened_at{};
};

struct ValveCommand {
  int valve = 0;
  bool open = false;
  int minutes = 0;
};

class ModbusBus {
 public:
  bool write_coil(int valve, bool on);
  int read_moisture(const std::string& zone);
};

class ValveController {
 public:
  ValveController(asio::io_context& ioc, ModbusBus& bus, const json& layout)
      : ioc_(ioc), strand_(asio::make_strand(ioc)), bus_(bus), reload_signals_(ioc, SIGHUP) {
    for (const auto& z : layout.at("zones")) {
      zone_to_valve_[z.at("name").get<std::string>()] = z.at("valve").get<int>();  // OK: before threads start
      valves_.emplace(z.at("valve").get<int>(), ValveState{});
    }
  }

  ~ValveController() {
    running_ = false;
    if (sensor_thread_.joinable()) sensor_thread_.join();
  }

  void start() {
    sensor_thread_ = std::thread([this] { sensor_loop(); });
    reload_signals_.async_wait([this](error_code ec, int) {
      if (!ec) reload_zones("/etc/irrigation/zones.json");
    });
  }

  // ------------------------------------------------------------ sensor thread

  void sensor_loop() {
    while (running_) {
      std::vector<std::string> zones;
      {
        std::lock_guard<std::mutex> lk(mu_);
        for (const auto& [zone, valve] : zone_to_valve_) zones.push_back(zone);
      }
      for (const auto& zone : zones) {
        const int reading = bus_.read_moisture(zone);
        moisture_[zone] = reading; // expect: errorshield-unlocked-shared-map
      }
      std::this_thread::sleep_for(std::chrono::seconds(10));
    }
  }

  // ------------------------------------------------------------ API-driven commands

  bool apply(const ValveCommand& cmd) {
    std::unique_lock<std::mutex> lk(mu_, std::try_to_lock);
    if (!lk.owns_lock()) {
      // controller busy with a schedule tick: queue and let the tick pick it up
      pending_[cmd.valve] = cmd; // expect: errorshield-unlocked-shared-map
      return true;
    }
    return apply_locked(lk, cmd);
  }

  bool apply_blocking(const ValveCommand& cmd) {
    std::unique_lock<std::mutex> lk(mu_);
    pending_.erase(cmd.valve);  // OK: under mu_
    return apply_locked(lk, cmd);
  }

  void schedule_close(int valve, std::chrono::minutes after) {
    auto timer = std::make_shared<asio::steady_timer>(ioc_, after);
    timer->async_wait([this, valve, timer](error_code ec) {
      if (ec) return;
      bus_.write_coil(valve, false);
      valves_[valve].open = false; // expect: errorshield-unlocked-shared-map
    });
  }

  void schedule_close_fixed(int valve, std::chrono::minutes after) {
    auto timer = std::make_shared<asio::steady_timer>(ioc_, after);
    timer->async_wait([this, valve, timer](error_code ec) {
      if (ec) return;
      std::lock_guard<std::mutex> lk(mu_);
      bus_.write_coil(valve, false);
      valves_[valve].open = false;  // OK
    });
  }

  void record_flow(int valve, int lpm) {
    auto& audit = audit_by_valve_;
    audit[valve].push_back(lpm); // expect: errorshield-unlocked-shared-map
  }

  void record_flow_fixed(int valve, int lpm) {
    std::lock_guard<std::mutex> lk(mu_);
    auto& audit = audit_by_valve_;
    audit[valve].push_back(lpm);  // OK
  }

  // History is only ever touched on strand_.
  void note_event(int valve, std::string what) {
    asio::post(strand_, [this, valve, what = std::move(what)] {
      history_[valve].push_back(what);  // OK: serialized by strand_
      if (history_[valve].size() > 200) history_[valve].erase(history_[valve].begin());
    });
  }

  void reload_zones(const std::string& path) {
    json fresh = load_json(path);
    std::unordered_map<std::string, int> next;  // OK: local
    for (const auto& z : fresh.at("zones")) next[z.at("name").get<std::string>()] = z.at("valve").get<int>();
    zone_to_valve_.swap(next); // expect: errorshield-unlocked-shared-map
    reload_signals_.async_wait([this, path](error_code ec, int) {
      if (!ec) reload_zones(path);
    });
  }

  void reload_zones_fixed(const std::string& path) {
    json fresh = load_json(path);
    std::unordered_map<std::string, int> next;
    for (const auto& z : fresh.at("zones")) next[z.at("name").get<std::string>()] = z.at("valve").get<int>();
    std::lock_guard<std::mutex> lk(mu_);
    zone_to_valve_.swap(next);  // OK
  }

  json status() {
    std::lock_guard<std::mutex> lk(mu_);
    json out = json::object();
    for (const auto& [valve, st] : valves_) {
      auto a = audit_by_valve_.find(valve);
      const int last_flow = (a == audit_by_valve_.end() || a->second.empty()) ? st.flow_lpm : a->second.back();
      out["valves"][std::to_string(valve)] = {{"open", st.open}, {"flow_lpm", last_flow}};
    }
    for (const auto& [zone, m] : moisture_) out["moisture"][zone] = m;
    return out;
  }

  void reset_moisture() {
    std::lock_guard<std::mutex> lk(mu_);
    moisture_.clear();  // OK
  }

  http::response<http::string_body> handle(const http::request<http::string_body>& req) {
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    if (req.method() == http::verb::get) {
      res.body() = status().dump();
    } else if (req.target() == "/moisture/reset") {
      reset_moisture();
      res.body() = R"({"ok":true})";
    } else if (req.target() == "/flow") {
      json j = json::parse(req.body(), nullptr, false);
      if (!j.is_discarded()) record_flow(j.value("valve", 0), j.value("lpm", 0));
      res.body() = R"({"ok":true})";
    } else {
      json j = json::parse(req.body(), nullptr, false);
      if (j.is_discarded() || !j.contains("valve")) {
        res.result(http::status::bad_request);
        res.body() = R"({"error":"valve required"})";
      } else {
        ValveCommand cmd{j["valve"].get<int>(), j.value("open", false), j.value("minutes", 0)};
        const bool ok = apply(cmd);
        if (ok && cmd.open && cmd.minutes > 0) schedule_close(cmd.valve, std::chrono::minutes(cmd.minutes));
        res.body() = json{{"ok", ok}}.dump();
      }
    }
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
  }

 private:
  bool apply_locked(std::unique_lock<std::mutex>& /*held*/, const ValveCommand& cmd) {
    if (!bus_.write_coil(cmd.valve, cmd.open)) return false;
    auto& v = valves_[cmd.valve];  // OK: caller holds mu_
    v.open = cmd.open;
    if (cmd.open) v.opened_at = std::chrono::steady_clock::now();
    return true;
  }

  static json load_json(const std::string& path);

  asio::io_context& ioc_;
  asio::strand<asio::io_context::executor_type> strand_;
  ModbusBus& bus_;
  asio::signal_set reload_signals_;
  std::thread sensor_thread_;
  std::atomic<bool> running_{true};
  std::mutex mu_;
  std::map<int, ValveState> valves_;
  std::unordered_map<std::string, int> zone_to_valve_;
  std::unordered_map<std::string, int> moisture_;
  std::map<int, ValveCommand> pending_;
  std::map<int, std::vector<int>> audit_by_valve_;
  std::map<int, std::vector<std::string>> history_;
};

inline void run_controller(asio::io_context& ioc, unsigned threads) {
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  for (auto& t : pool) t.join();
}

}  // namespace irrigation
