// checks: errorshield-deferred-ref-capture
// Per-symbol metrics aggregation of the quote server. Reviewed code: every
// by-reference capture here completes before its captured locals go away.
#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>
#include <type_traits>
#include <variant>
#include <vector>

namespace asio = boost::asio;
using json = nlohmann::json;

struct Tick { std::string symbol; double px; long size; };
using Sample = std::variant<long, double, std::string>;

static long g_published = 0;
void push_metrics(const json& doc);

class MetricsAggregator {
 public:
  explicit MetricsAggregator(asio::io_context& ioc) : ioc_(ioc) {
    // fine: captures only `this`; the aggregator owns on_flush_
    on_flush_ = [this](const json& doc) { last_ = doc; };
  }

  json summarize(const std::vector<Tick>& ticks, double min_px) {
    // fine: immediately invoked initializer lambda
    const auto limits = [&] {
      auto [lo, hi] = std::minmax_element(ticks.begin(), ticks.end(), [](const Tick& a, const Tick& b) { return a.px < b.px; });
      return std::make_pair(lo->px, hi->px);
    }();
    std::map<std::string, long> volume;
    // fine: std::for_each runs the lambda before returning
    std::for_each(ticks.begin(), ticks.end(), [&volume, &min_px](const Tick& t) { if (t.px >= min_px) volume[t.symbol] += t.size; });
    std::vector<std::pair<std::string, long>> ranked(volume.begin(), volume.end());
    std::sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) { return a.second > b.second; });
    long total = std::accumulate(ranked.begin(), ranked.end(), 0L, [&](long acc, const auto& p) { return acc + p.second; });
    return json{{"lo", limits.first}, {"hi", limits.second}, {"total", total}, {"top", ranked.empty() ? "" : ranked.front().first}};
  }

  std::string render(const std::vector<Sample>& samples) {
    std::string out;
    for (const auto& s : samples) {
      // fine: std::visit calls the visitor synchronously
      std::visit([&out](const auto& v) {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>) out += v;
        else out += std::to_string(v);
        out += ',';
      }, s);
    }
    return out;
  }

  double parallel_vwap(const std::vector<Tick>& ticks) {
    const std::size_t half = ticks.size() / 2;
    double num_a = 0, num_b = 0;
    long den_a = 0, den_b = 0;
    // fine: the local future blocks on destruction and is waited on explicitly
    auto first = std::async(std::launch::async, [&] {
      for (std::size_t i = 0; i < half; ++i) { num_a += ticks[i].px * ticks[i].size; den_a += ticks[i].size; }
    });
    std::thread second([&] {
      for (std::size_t i = half; i < ticks.size(); ++i) { num_b += ticks[i].px * ticks[i].size; den_b += ticks[i].size; }
    });
    first.get();
    second.join();
    return (den_a + den_b) ? (num_a + num_b) / (den_a + den_b) : 0.0;
  }

  void flush_once(const json& doc) {
    static std::once_flag once;
    int attempts = 0;
    // fine: call_once runs the callable before returning
    std::call_once(once, [&] { ++attempts; push_metrics(doc); });
    std::unique_lock lk(mu_);
    bool done = true;
    // fine: the predicate is evaluated inside wait()
    cv_.wait(lk, [&done] { return done; });
  }

  void publish(const json& doc) {
    // fine: the handler uses only a namespace-scope static, `this` and a copy of doc
    asio::post(ioc_, [&, doc] { ++g_published; on_flush_(doc); });
    // fine: on_flush_ already lives in the object; a local std::function invoked here
    std::function<void(const json&)> local = [&](const json& d) { last_ = d; };
    local(doc);
  }

  // Offline report tool: drives a private io_context to completion.
  json offline_report(const std::vector<Tick>& ticks) {
    asio::io_context local_ioc;
    json report;
    std::vector<double> prices;
    for (const auto& t : ticks) prices.push_back(t.px);
    // fine: local_ioc.run() below executes both handlers before report/prices are destroyed
    asio::post(local_ioc, [&report, &prices] { report["n"] = prices.size(); });
    asio::post(local_ioc, [&] { report["max"] = prices.empty() ? 0.0 : *std::max_element(prices.begin(), prices.end()); });
    local_ioc.run();
    return report;
  }

 private:
  asio::io_context& ioc_;
  std::function<void(const json&)> on_flush_;
  json last_;
  std::mutex mu_;
  std::condition_variable cv_;
};
