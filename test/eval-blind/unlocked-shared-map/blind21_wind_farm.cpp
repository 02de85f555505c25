// checks: errorshield-unlocked-shared-map
// Wind farm status hub: turbines push telemetry over TCP, operators
// subscribe to live updates. The io_context is run from a small thread pool.
#include <boost/asio.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

struct TurbineStatus {
  double rpm = 0;
  double power_kw = 0;
  double nacelle_temp_c = 0;
  bool feathered = false;
  std::chrono::steady_clock::time_point seen;
};

class Subscriber;

// Alarm codes raised by turbines, consumed by the maintenance worker.
std::map<std::string, int> g_active_alarms;
std::mutex g_alarm_mu;

// Rated output per model, filled once at startup and only read afterwards.
const std::unordered_map<std::string, double> kRatedKw = {
    {"V150", 4200.0}, {"SG-8.0", 8000.0}, {"E-138", 3500.0}};

class StatusHub {
public:
  explicit StatusHub(asio::io_context &ioc) : ioc_(ioc), strand_(asio::make_strand(ioc)) {
    // seeded before any worker thread runs the io_context
    status_["T-01"] = TurbineStatus{};
    status_["T-02"] = TurbineStatus{};
  }

  // Called from the read handler of whichever pool thread serviced the socket.
  void on_telemetry(const std::string &turbine, const json &j) {
    TurbineStatus s;
    s.rpm = j.value("rpm", 0.0);
    s.power_kw = j.value("kw", 0.0);
    s.nacelle_temp_c = j.value("temp", 0.0);
    s.feathered = j.value("feathered", false);
    s.seen = std::chrono::steady_clock::now();
    status_[turbine] = s; // expect: errorshield-unlocked-shared-map
    if (s.nacelle_temp_c > 85.0)
      raise_alarm(turbine, 301);
  }

  void subscribe(std::shared_ptr<Subscriber> sub) {
    std::lock_guard<std::mutex> lk(sub_mu_);
    subscribers_.insert(std::move(sub));
  }

  void unsubscribe(const std::shared_ptr<Subscriber> &sub) {
    subscribers_.erase(sub); // expect: errorshield-unlocked-shared-map
  }

  // Turbine taken out of service by an operator.
  void decommission(const std::string &turbine) {
    bool known = false;
    {
      std::lock_guard<std::mutex> lk(status_mu_);
      known = status_.count(turbine) != 0;
    }
    if (known)
      status_.erase(turbine); // expect: errorshield-unlocked-shared-map
  }

  void mark_feathered(const std::string &turbine) {
    std::scoped_lock lk(status_mu_);
    auto it = status_.find(turbine);
    if (it != status_.end())
      it->second.feathered = true;
    else
      status_.emplace(turbine, TurbineStatus{0, 0, 0, true, std::chrono::steady_clock::now()});
  }

  // Grid curtailment requests are serialised on the hub's strand.
  void request_curtailment(std::string turbine, double limit_kw) {
    asio::post(strand_, [this, turbine = std::move(turbine), limit_kw] {
      curtailment_[turbine] = limit_kw;
    });
  }

  void raise_alarm(const std::string &turbine, int code) {
    std::lock_guard<std::mutex> lk(g_alarm_mu);
    g_active_alarms[turbine] = code;
  }

  json snapshot() {
    std::shared_lock lk(fleet_mu_);
    json out = json::object();
    for (const auto &[id, model] : fleet_)
      out[id] = model;
    return out;
  }

  void register_model(const std::string &turbine, const std::string &model) {
    std::unique_lock lk(fleet_mu_);
    fleet_[turbine] = model;
  }

  void retire_model(const std::string &turbine) {
    std::shared_lock lk(fleet_mu_);
    fleet_.erase(turbine); // expect: errorshield-unlocked-shared-map
  }

  asio::io_context &ioc_;

private:
  asio::strand<asio::io_context::executor_type> strand_;
  std::mutex status_mu_;
  std::mutex sub_mu_;
  std::shared_mutex fleet_mu_;
  std::unordered_map<std::string, TurbineStatus> status_;
  std::set<std::shared_ptr<Subscriber>> subscribers_;
  std::map<std::string, double> curtailment_;
  std::unordered_map<std::string, std::string> fleet_;
};

class Subscriber : public std::enable_shared_from_this<Subscriber> {
public:
  Subscriber(tcp::socket s, StatusHub &hub) : sock_(std::move(s)), hub_(hub) {}
  void start() { hub_.subscribe(shared_from_this()); }
  void stop() { hub_.unsubscribe(shared_from_this()); }

private:
  tcp::socket sock_;
  StatusHub &hub_;
};

// Maintenance worker: clears alarms once a technician acknowledges them.
void alarm_ack_worker(std::vector<std::string> acks) {
  for (const auto &turbine : acks) {
    g_active_alarms.erase(turbine); // expect: errorshield-unlocked-shared-map
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// Builds a per-request summary; the map is local to this call.
json summarize(const std::vector<std::pair<std::string, double>> &readings) {
  std::map<std::string, double> peak;
  for (const auto &[id, kw] : readings) {
    auto &p = peak[id];
    if (kw > p)
      p = kw;
  }
  json j;
  for (const auto &[id, kw] : peak) {
    auto rated = kRatedKw.find("V150");
    j[id] = {{"peak_kw", kw}, {"rated_kw", rated->second}};
  }
  return j;
}

void read_turbine(std::shared_ptr<tcp::socket> sock, StatusHub &hub,
                  std::shared_ptr<asio::streambuf> buf) {
  asio::async_read_until(*sock, *buf, '\n',
                         [sock, &hub, buf](boost::system::error_code ec, std::size_t n) {
                           if (ec)
                             return;
                           std::string line(asio::buffers_begin(buf->data()),
                                            asio::buffers_begin(buf->data()) + n);
                           buf->consume(n);
                           json j = json::parse(line, nullptr, false);
                           if (!j.is_discarded() && j.contains("id"))
                             hub.on_telemetry(j["id"].get<std::string>(), j);
                           read_turbine(sock, hub, buf);
                         });
}

void accept_turbines(tcp::acceptor &acc, StatusHub &hub) {
  acc.async_accept([&acc, &hub](boost::system::error_code ec, tcp::socket s) {
    if (!ec)
      read_turbine(std::make_shared<tcp::socket>(std::move(s)), hub,
                   std::make_shared<asio::streambuf>());
    accept_turbines(acc, hub);
  });
}

int main() {
  asio::io_context ioc;
  StatusHub hub(ioc);
  tcp::acceptor acc(ioc, {tcp::v4(), 5020});
  accept_turbines(acc, hub);

  std::thread acker(alarm_ack_worker, std::vector<std::string>{"T-01", "T-02"});
  std::vector<std::thread> pool;
  for (int i = 0; i < 4; ++i)
    pool.emplace_back([&ioc] { ioc.run(); });
  for (auto &t : pool)
    t.join();
  acker.join();
}
