// checks: errorshield-unlocked-shared-map
// Public-aquarium life-support controller: one probe poller per tank bus,
// a dosing planner, and a small HTTP API used by the keepers' tablets.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace reef {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

struct ProbeReading {
  double temp_c = 0.0;
  double ph = 0.0;
  double salinity_ppt = 0.0;
  double orp_mv = 0.0;
  std::chrono::system_clock::time_point at{};
};

struct TankConfig {
  int id = 0;
  std::string name;
  std::string bus;  // e.g. /dev/ttyUSB0
  double volume_l = 0.0;
};

struct FeedingPlan {
  std::string food;
  int grams = 0;
  std::vector<std::string> times;
};

// Implemented by the serial driver.
ProbeReading read_probe_bus(const std::string& bus, int tank);
double compute_dose_ml(const TankConfig& tank, const ProbeReading& r, const std::string& pump);

template <class Map, class Key, class Value>
void upsert(Map& m, const Key& k, Value&& v) {
  m.insert_or_assign(k, std::forward<Value>(v));
}

struct ControlContext {
  std::map<int, TankConfig> tanks;  // read-only once load_tanks() returns
  std::unordered_map<int, FeedingPlan> feeding_schedule;

  std::mutex setpoint_mu;
  std::map<int, double> temp_setpoints;

  // One slot per tank, created at startup; values updated in place.
  std::map<int, std::atomic<double>> heater_duty;

  bool load_tanks(const std::string& path) {
    std::ifstream in(path);
    if (!in) return false;
    json doc = json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.contains("tanks")) return false;
    for (const auto& t : doc["tanks"]) {
      TankConfig cfg{t.value("id", 0), t.value("name", std::string{}),
                     t.value("bus", std::string{}), t.value("volume_l", 0.0)};
      temp_setpoints[cfg.id] = t.value("setpoint_c", 25.0);
      heater_duty[cfg.id].store(0.0);
      tanks.emplace(cfg.id, std::move(cfg));
    }
    return true;
  }
};

class ProbePoller {
 public:
  explicit ProbePoller(ControlContext& ctx) : ctx_(ctx) {}

  void start() {
    for (const auto& [id, tank] : ctx_.tanks)
      threads_.emplace_back([this, id = id, bus = tank.bus](std::stop_token st) { poll_loop(st, id, bus); });
  }

  ProbeReading latest(int tank) {
    std::lock_guard lk(readings_mu_);
    auto it = probe_readings_.find(tank);
    return it == probe_readings_.end() ? ProbeReading{} : it->second;
  }

 private:
  void poll_loop(std::stop_token st, int tank, const std::string& bus) {
    while (!st.stop_requested()) {
      ProbeReading r;
      try {
        r = read_probe_bus(bus, tank);
      } catch (const std::exception& e) {
        upsert(last_fault_, tank, std::string(e.what())); // expect: errorshield-unlocked-shared-map
        std::this_thread::sleep_for(std::chrono::seconds(5));
        continue;
      }
      probe_readings_[tank] = r; // expect: errorshield-unlocked-shared-map

      double setpoint = 25.0;
      {
        std::scoped_lock lk(ctx_.setpoint_mu);
        setpoint = ctx_.temp_setpoints[tank];
      }
      double duty = std::clamp((setpoint - r.temp_c) * 0.4, 0.0, 1.0);
      ctx_.heater_duty.at(tank).store(duty);
      std::this_thread::sleep_for(std::chrono::seconds(2));
    }
  }

  ControlContext& ctx_;
  std::vector<std::jthread> threads_;
  std::mutex readings_mu_;
  std::map<int, ProbeReading> probe_readings_;
  std::map<int, std::string> last_fault_;
};

// Nightly dosing plan: one task per pump, run concurrently.
std::map<std::string, double> plan_doses_parallel(const TankConfig& tank, const ProbeReading& r,
                                                  const std::vector<std::string>& pumps) {
  std::map<std::string, double> dosed;
  std::vector<std::future<void>> jobs;
  for (const auto& pump : pumps) {
    jobs.push_back(std::async(std::launch::async, [&dosed, &tank, &r, pump] {
      dosed[pump] = compute_dose_ml(tank, r, pump); // expect: errorshield-unlocked-shared-map
    }));
  }
  for (auto& j : jobs) j.get();
  return dosed;
}

std::map<std::string, double> plan_doses(const TankConfig& tank, const ProbeReading& r,
                                         const std::vector<std::string>& pumps) {
  std::vector<std::pair<std::string, std::future<double>>> jobs;
  for (const auto& pump : pumps)
    jobs.emplace_back(pump, std::async(std::launch::async, [&tank, &r, pump] {
                        return compute_dose_ml(tank, r, pump);
                      }));
  std::map<std::string, double> dosed;
  for (auto& [pump, f] : jobs) dosed[pump] = f.get();
  return dosed;
}

// Caller must hold ctx.setpoint_mu.
void apply_setpoint(std::unique_lock<std::mutex>& held, ControlContext& ctx, int tank, double c) {
  (void)held;
  ctx.temp_setpoints[tank] = c;
}

class ApiSession : public std::enable_shared_from_this<ApiSession> {
 public:
  ApiSession(tcp::socket sock, ControlContext* ctx, ProbePoller* poller)
      : stream_(std::move(sock)), ctx_(ctx), poller_(poller) {}

  void start() { read(); }

 private:
  void read() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buf_, req_,
                     beast::bind_front_handler(&ApiSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    res_ = handle(req_);
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || !self->res_.keep_alive()) {
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        return;
      }
      self->read();
    });
  }

  http::response<http::string_body> reply(http::status st, json body) {
    http::response<http::string_body> res{st, req_.version()};
    res.set(http::field::content_type, "application/json");
    res.keep_alive(req_.keep_alive());
    res.body() = body.dump();
    return res;
  }

  http::response<http::string_body> handle(const http::request<http::string_body>& req) {
    std::string target(req.target());
    json body = json::parse(req.body(), nullptr, false);
    // Query-string parameters of this request only.
    std::unordered_map<std::string, std::string> params;
    if (auto q = target.find('?'); q != std::string::npos) {
      params["raw"] = target.substr(q + 1);
      target.resize(q);
    }

    int tank = 0;
    if (std::sscanf(target.c_str(), "/tanks/%d", &tank) != 1 || !ctx_->tanks.count(tank))
      return reply(http::status::not_found, {{"error", "unknown tank"}});

    if (req.method() == http::verb::get) {
      auto r = poller_->latest(tank);
      return reply(http::status::ok, {{"temp_c", r.temp_c}, {"ph", r.ph},
                                      {"salinity_ppt", r.salinity_ppt},
                                      {"heater_duty", ctx_->heater_duty.at(tank).load()}});
    }
    if (body.is_discarded()) return reply(http::status::bad_request, {{"error", "bad json"}});

    if (req.method() == http::verb::put && target.ends_with("/setpoint")) {
      double c = body.value("temp_c", 25.0);
      if (c < 18.0 || c > 30.0) return reply(http::status::unprocessable_entity, {{"error", "range"}});
      std::unique_lock lk(ctx_->setpoint_mu);
      apply_setpoint(lk, *ctx_, tank, c);
      return reply(http::status::ok, {{"temp_c", c}});
    }
    if (req.method() == http::verb::post && target.ends_with("/feeding")) {
      FeedingPlan plan{body.value("food", std::string{"pellets"}), body.value("grams", 0),
                       body.value("times", std::vector<std::string>{})};
      ctx_->feeding_schedule[tank] = std::move(plan); // expect: errorshield-unlocked-shared-map
      return reply(http::status::accepted, {{"tank", tank}});
    }
    return reply(http::status::method_not_allowed, {{"error", "unsupported"}});
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  ControlContext* ctx_;
  ProbePoller* poller_;
};

class ControlServer {
 public:
  ControlServer(const std::string& tanks_json, unsigned short port)
      : acceptor_(ioc_, tcp::endpoint(tcp::v4(), port)), poller_(ctx_) {
    if (!ctx_.load_tanks(tanks_json)) throw std::runtime_error("cannot load " + tanks_json);
  }

  void run(unsigned threads) {
    poller_.start();
    accept();
    for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this] { ioc_.run(); });
  }

  void stop() {
    ioc_.stop();
    for (auto& t : workers_) t.join();
  }

 private:
  void accept() {
    acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<ApiSession>(std::move(s), &ctx_, &poller_)->start();
      if (ec != asio::error::operation_aborted) accept();
    });
  }

  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  ControlContext ctx_;
  ProbePoller poller_;
  std::vector<std::thread> workers_;
};

}  // namespace reef
