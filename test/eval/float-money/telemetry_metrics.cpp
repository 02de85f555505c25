// checks: errorshield-float-money
// Host agent: collects metrics, sensor readings and weather data, aggregates
// them and ships them as JSON. Almost every double here is legitimately a
// double; only the cloud-billing exporter handles money.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

using json = nlohmann::json;

// Prometheus-style gauge: "value" is a weak word with no money context
class Gauge {
 public:
  void set(double value) { // fine
    std::lock_guard lk(mu_);
    value_ = value;
    last_value_ = value;
  }
  double value() const { return value_; } // fine

 private:
  mutable std::mutex mu_;
  double value_ = 0.0;                // fine
  std::optional<double> last_value_;  // fine
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bucket_bounds) // fine
      : bounds_(std::move(bucket_bounds)), counts_(bounds_.size() + 1, 0) {}

  void observe(double sample) { // fine
    auto idx = std::upper_bound(bounds_.begin(), bounds_.end(), sample) - bounds_.begin();
    ++counts_[static_cast<std::size_t>(idx)];
    sum_ += sample;
    ++n_;
  }
  double sum() const { return sum_; } // fine: statistics, no money context
  double mean() const { return n_ ? sum_ / static_cast<double>(n_) : 0.0; }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;
  double sum_ = 0.0; // fine
  std::uint64_t n_ = 0;
};

// Welford running statistics over response times
struct RunningStats {
  std::uint64_t n = 0;
  double mean = 0.0;
  double m2 = 0.0;
  void push(double x) {
    ++n;
    const double delta = x - mean; // fine
    mean += delta / static_cast<double>(n);
    m2 += delta * (x - mean);
  }
  double variance() const { return n > 1 ? m2 / static_cast<double>(n - 1) : 0.0; }
};

double total(const std::vector<double>& xs) { // fine: weak word, no money context
  double acc = 0.0;
  for (double x : xs) acc += x;
  return acc;
}

struct NetworkStats {
  double packet_loss = 0.0;          // "loss" is not money: fine
  double net_throughput_mbps = 0.0;  // weak word "net" without money context: fine
  double rtt_p99_ms = 0.0;           // fine
  std::map<std::string, double> latency_by_host; // fine
};

struct BatteryStatus {
  double charge_level = 0.0;   // battery charge, weak word without money context: fine
  double voltage = 0.0;        // fine
  double temperature_c = 0.0;  // fine
};

struct ProfilerSpan {
  std::string name;
  double time_spent_ms = 0.0; // "spent" is weak; no money context: fine
};

// Robot arm kinematics. "tip" is a whole word here, so by the check's word
// rules this one is reported even though it is an angle.
struct ArmState {
  std::array<double, 6> joint_angles_rad{}; // fine
  double tip_angle_rad = 0.0; // expect: errorshield-float-money
  double gripper_force_n = 0.0; // fine
};

// Weather station feed: "amount" and "total" keys hold rainfall in millimetres
struct Rainfall {
  double amount_mm = 0.0; // fine
  double total_mm_24h = 0.0; // fine
};

Rainfall parseRainfall(const json& j) {
  Rainfall r;
  r.amount_mm = j.at("amount").get<double>(); // weak key, no money context: fine
  r.total_mm_24h = j.value("total", 0.0);     // fine
  return r;
}

NetworkStats parseNetworkReport(const json& j) {
  NetworkStats s;
  s.packet_loss = j.at("loss").get<double>();   // fine
  s.net_throughput_mbps = j["throughput"];      // fine
  s.rtt_p99_ms = static_cast<double>(j.at("rttP99")); // fine
  for (const auto& [host, ms] : j.at("latency").items()) s.latency_by_host[host] = ms.get<double>(); // fine
  return s;
}

// Cloud billing exporter: the one place this agent deals with money
struct CloudUsage {
  std::string instance_type;
  double cpu_hours = 0.0; // fine
  double cost_per_hour = 0.0; // expect: errorshield-float-money
  double spend_usd = 0.0; // expect: errorshield-float-money
};

CloudUsage parseCloudUsage(const json& j) {
  CloudUsage u;
  u.instance_type = j.at("instanceType").get<std::string>();
  u.cpu_hours = j.at("cpuHours").get<double>(); // fine
  u.cost_per_hour = j.at("costPerHour").get<double>(); // expect: errorshield-float-money
  u.spend_usd = u.cpu_hours * u.cost_per_hour;
  return u;
}

json toJson(const Gauge& cpu, const Histogram& latency, const RunningStats& rs) {
  json out;
  out["cpu"] = cpu.value();
  out["latency_mean_ms"] = latency.mean();
  out["latency_var"] = rs.variance();
  const double load_avg = cpu.value() / 4.0; // fine
  out["load"] = load_avg;
  return out;
}

// ML model monitoring: loss and probabilities are not money
struct TrainingStep {
  double loss = 0.0;       // fine
  double learning_rate = 1e-3; // fine
  float probability = 0.f; // fine
  double score = 0.0;      // fine
};
