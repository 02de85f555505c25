// checks: errorshield-deferred-ref-capture
// Market-data relay + push-notification fan-out.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace relay {

void log_err(const char *what, const boost::system::error_code &ec);
std::string refresh_token(const std::string &old);

struct RelayConfig {
  std::string venue;
  int heartbeat_ms = 1000;
};
RelayConfig &global_config(); // process-lifetime singleton

struct Tick {
  std::string symbol;
  double bid, ask;
};

class Subscriber : public std::enable_shared_from_this<Subscriber> {
public:
  explicit Subscriber(tcp::socket s) : ws_(std::move(s)) {}

  // OK: buffer is a member, handler holds a strong ref to us.
  void send(std::string msg) {
    outbox_ = std::move(msg);
    ws_.async_write(asio::buffer(outbox_),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) log_err("ws write", ec);
                    });
  }

  // BUG: `frame` lives on the stack; the completion handler (and the
  // buffer) refer to it after publish_tick returned.
  void publish_tick(const Tick &t) {
    std::string frame = json{{"s", t.symbol}, {"b", t.bid}, {"a", t.ask}}.dump();
    ws_.async_write(asio::buffer(frame), [&frame](beast::error_code ec, std::size_t n) { // expect: errorshield-deferred-ref-capture
      if (ec) log_err("tick write", ec);
      else if (n != frame.size()) log_err("short write", ec);
    });
  }

  websocket::stream<tcp::socket> &ws() { return ws_; }

private:
  websocket::stream<tcp::socket> ws_;
  std::string outbox_;
};

class PushService {
public:
  using Callback = std::function<void(const json &)>;

  explicit PushService(asio::io_context &ioc) : ioc_(ioc), hb_timer_(ioc) {}

  // BUG: `topic` is a by-value parameter; the stored callback outlives it.
  void subscribe(std::string topic, std::string device_token) {
    handlers_[topic].push_back([&topic, device_token](const json &payload) { // expect: errorshield-deferred-ref-capture
      deliver(device_token, topic, payload);
    });
  }

  // OK: both captured by value.
  void subscribe_fixed(std::string topic, std::string device_token) {
    auto key = topic;
    handlers_[key].push_back([topic = std::move(topic), device_token](const json &payload) {
      deliver(device_token, topic, payload);
    });
  }

  // BUG: heartbeat counter is a local; the timer fires after return.
  void start_heartbeat() {
    int missed = 0;
    hb_timer_.expires_after(std::chrono::milliseconds(global_config().heartbeat_ms));
    hb_timer_.async_wait([&](const boost::system::error_code &ec) { // expect: errorshield-deferred-ref-capture
      if (!ec && ++missed > 3) log_err("heartbeat", ec);
    });
  }

  // OK: reference to a process-lifetime object captured by reference.
  void schedule_venue_log() {
    RelayConfig &cfg = global_config();
    asio::post(ioc_, [&cfg] { log_line("venue=" + cfg.venue); });
  }

  // BUG: range-for copy `tok` dies at the end of every iteration.
  void fanout(const std::vector<std::string> &device_tokens, const json &payload) {
    for (std::string tok : device_tokens) {
      asio::post(ioc_, [&tok, payload] { deliver(tok, "broadcast", payload); }); // expect: errorshield-deferred-ref-capture
    }
  }

  // OK: sort comparator captures by ref; runs synchronously.
  std::vector<std::string> rank_topics() const {
    std::map<std::string, std::size_t> sizes;
    for (auto &kv : handlers_) sizes[kv.first] = kv.second.size();
    std::vector<std::string> out;
    for (auto &kv : sizes) out.push_back(kv.first);
    std::sort(out.begin(), out.end(),
              [&sizes](const std::string &a, const std::string &b) { return sizes[a] > sizes[b]; });
    return out;
  }

  // OK: async + immediate get(): the future is waited on in-scope.
  std::size_t count_deliverable(const std::vector<std::string> &tokens) {
    std::string prefix = "apns:";
    auto fut = std::async(std::launch::async, [&] {
      return std::count_if(tokens.begin(), tokens.end(),
                           [&](const std::string &t) { return t.rfind(prefix, 0) == 0; });
    });
    return static_cast<std::size_t>(fut.get());
  }

  // BUG: the auth token captured by reference is refreshed before the
  // deferred revoke runs, so we revoke the fresh token instead of the old one.
  void rotate_token(std::string token) {
    struct Revoker {
      std::function<void()> fn;
      ~Revoker() { fn(); }
    } revoke{[&token] { log_line("revoking " + token); }}; // expect: errorshield-deferred-ref-capture
    token = refresh_token(token);
    log_line("rotated to " + token);
  }

  // OK: local timer + run() in the same scope.
  static int probe_latency() {
    asio::io_context ioc;
    asio::steady_timer t(ioc, std::chrono::milliseconds(5));
    int fired = 0;
    t.async_wait([&](const boost::system::error_code &) { ++fired; });
    ioc.run();
    return fired;
  }

  void publish(const std::string &topic, const json &payload) {
    auto it = handlers_.find(topic);
    if (it == handlers_.end()) return;
    for (auto &cb : it->second) cb(payload);
  }

private:
  static void deliver(const std::string &tok, const std::string &topic, const json &payload);
  static void log_line(const std::string &s);

  asio::io_context &ioc_;
  asio::steady_timer hb_timer_;
  std::map<std::string, std::vector<Callback>> handlers_;
};

} // namespace relay
