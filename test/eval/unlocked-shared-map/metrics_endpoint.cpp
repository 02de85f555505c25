// checks: errorshield-unlocked-shared-map
// Prometheus-style metrics for a Beast HTTP server. Request handlers on all
// io_context threads bump counters; GET /metrics renders them.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;

class Metrics {
 public:
  Metrics() {
    for (const char* n : {"http_requests_total", "http_errors_total", "ws_sessions"})
      known_.insert(n);  // fine: constructor
  }

  void inc(const std::string& name, std::uint64_t by = 1) {
    std::lock_guard g(mu_);
    counters_[name] += by;  // fine: lock_guard held
  }

  void observe(const std::string& name, double v) {
    std::lock_guard g(mu_);
    histos_[name].push_back(v);  // fine: lock_guard held
  }

  bool is_known(const std::string& name) const {
    return known_.count(name) != 0;  // fine: known_ is only filled in the constructor
  }

  std::string render() const {
    std::string out;
    for (const auto& [name, value] : counters_)  // expect: errorshield-unlocked-shared-map
      out += name + " " + std::to_string(value) + "\n";
    std::lock_guard g(mu_);
    for (const auto& [name, samples] : histos_)  // fine: lock_guard declared above
      out += name + "_count " + std::to_string(samples.size()) + "\n";
    return out;
  }

  std::uint64_t get(const std::string& name) const {
    std::lock_guard g(mu_);
    auto it = counters_.find(name);  // fine: lock_guard held
    return it == counters_.end() ? 0 : it->second;  // fine: lock_guard held
  }

  void forget(const std::vector<std::string>& names) {
    std::lock_guard g(mu_);
    std::for_each(names.begin(), names.end(), [&](const std::string& n) {
      counters_.erase(n);  // fine: lambda runs under the enclosing lock_guard
      histos_.erase(n);    // fine: lambda runs under the enclosing lock_guard
    });
  }

  json to_json() const {
    std::lock_guard g(mu_);
    json j = json::object();
    for (const auto& [name, value] : counters_) j[name] = value;  // fine: lock_guard held
    return j;
  }

  void reset() {
    std::lock_guard g(mu_);
    counters_.clear();  // fine: lock_guard held
    histos_.clear();    // fine: lock_guard held
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t> counters_;
  std::map<std::string, std::vector<double>> histos_;
  std::set<std::string> known_;
};

// Shared latency summary, one mutex guarding the map next to it.
struct LatencyStats {
  std::mutex mu;
  std::unordered_map<std::string, double> p99_ms;
} g_latency;

void record_p99(const std::string& route, double ms) {
  std::lock_guard g(g_latency.mu);
  g_latency.p99_ms[route] = ms;  // fine: lock_guard held
}

double p99(const std::string& route) {
  auto it = g_latency.p99_ms.find(route);  // expect: errorshield-unlocked-shared-map
  return it == g_latency.p99_ms.end() ? 0.0 : it->second;  // same container, same function: reported once, at the first write
}

// Not const, but only ever read.
static std::map<unsigned, const char*> g_reason = {{200, "ok"}, {404, "not_found"}, {500, "error"}};

const char* reason_label(unsigned status) {
  auto it = g_reason.find(status);  // fine: never written in this file
  return it == g_reason.end() ? "other" : it->second;  // fine: never written in this file
}

const std::string& route_label(std::string_view target) {
  static std::mutex mu;
  static std::unordered_map<std::string, std::string> labels;
  std::lock_guard g(mu);
  auto it = labels.find(std::string(target));  // fine: lock_guard on the static mutex
  if (it == labels.end())
    it = labels.emplace(std::string(target), std::string(target.substr(0, target.find('?')))).first;  // fine: locked
  return it->second;
}

const std::string& method_label(http::verb v) {
  // Called concurrently from every handler; nobody added a mutex.
  static std::unordered_map<int, std::string> names;
  auto it = names.find(static_cast<int>(v));  // same container, same function: reported once, at the first write
  if (it == names.end())  // same container, same function: reported once, at the first write
    it = names.emplace(static_cast<int>(v), std::string(http::to_string(v))).first;  // expect: errorshield-unlocked-shared-map
  return it->second;
}

http::response<http::string_body> handle(const http::request<http::string_body>& req, Metrics& m) {
  m.inc("http_requests_total");
  http::response<http::string_body> res{http::status::ok, req.version()};
  if (req.target() == "/metrics") {
    res.set(http::field::content_type, "text/plain; version=0.0.4");
    res.body() = m.render();
  } else if (req.target() == "/metrics.json") {
    res.set(http::field::content_type, "application/json");
    res.body() = m.to_json().dump();
  } else {
    res.result(http::status::not_found);
    m.inc("http_errors_total");
  }
  std::map<std::string, std::string> extra_headers;  // per-request
  extra_headers["x-route"] = route_label(req.target());  // fine: local map
  extra_headers.emplace("x-method", method_label(req.method()));  // fine: local map
  for (const auto& [k, v] : extra_headers) res.set(k, v);  // fine: local map
  res.set("x-reason", reason_label(res.result_int()));
  res.prepare_payload();
  return res;
}
