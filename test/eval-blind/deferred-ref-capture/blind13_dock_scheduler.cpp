// checks: errorshield-deferred-ref-capture
// Dock door scheduler for the cross-dock warehouse. Carrier dispatch terminals keep an
// HTTP/1.1 keep-alive connection open and post check-in / departure events; the yard
// display subscribes to door changes.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace dock {

template <class F>
class Finally {
 public:
  explicit Finally(F f) : f_(std::move(f)) {}
  Finally(const Finally&) = delete;
  Finally& operator=(const Finally&) = delete;
  ~Finally() { f_(); }

 private:
  F f_;
};

template <class Executor, class F>
void run_later(Executor ex, F&& f) {
  asio::post(ex, std::forward<F>(f));
}

struct Appointment {
  std::string truck_id;
  std::string carrier;
  int door = -1;
  std::chrono::steady_clock::time_point eta;
};

class YardDisplay {
 public:
  void door_changed(int door, const std::string& truck_id);
};

class DockScheduler : public std::enable_shared_from_this<DockScheduler> {
 public:
  DockScheduler(asio::io_context& ioc, YardDisplay& display) : ioc_(ioc), display_(display) {}

  // One coroutine per dispatch terminal connection.
  asio::awaitable<void> serve_terminal(beast::tcp_stream stream) {
    beast::flat_buffer buffer;
    std::string carrier = "unidentified";
    connections_[carrier] += 1;
    Finally unregister([&] { drop_connection(carrier); }); // expect: errorshield-deferred-ref-capture
    for (;;) {
      http::request<http::string_body> req;
      stream.expires_after(std::chrono::minutes(5));
      auto [ec, n] = co_await http::async_read(stream, buffer, req, asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      if (auto it = req.find("X-Carrier"); it != req.end() && carrier != it->value()) {
        carrier = std::string(it->value());  // terminal re-identifies after login
        connections_[carrier] += 1;
      }
      auto res = handle(req);
      co_await http::async_write(stream, res, asio::use_awaitable);
      if (!req.keep_alive()) co_return;
    }
  }

  asio::awaitable<void> serve_terminal_fixed(beast::tcp_stream stream) {
    beast::flat_buffer buffer;
    http::request<http::string_body> first;
    co_await http::async_read(stream, buffer, first, asio::use_awaitable);
    const std::string carrier = std::string(first["X-Carrier"]);
    connections_[carrier] += 1;
    Finally unregister([&] { drop_connection(carrier); });  // OK: const, identified before the guard
    auto res = handle(first);
    co_await http::async_write(stream, res, asio::use_awaitable);
    while (first.keep_alive()) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(stream, buffer, req, asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      auto r = handle(req);
      co_await http::async_write(stream, r, asio::use_awaitable);
      if (!req.keep_alive()) break;
    }
  }

  // ------------------------------------------------------------ door holds

  // Hold a door for a truck until it checks in; free it if it does not show up.
  void hold_doors(const std::vector<Appointment>& appts) {
    for (std::size_t i = 0; i < appts.size(); ++i) {
      int door = appts[i].door;
      auto timer = std::make_shared<asio::steady_timer>(ioc_, appts[i].eta + grace_);
      timers_.push_back(timer);
      timer->async_wait([this, &door](error_code ec) { // expect: errorshield-deferred-ref-capture
        if (!ec) release_door(door);
      });
    }
  }

  void hold_doors_fixed(const std::vector<Appointment>& appts) {
    for (const auto& a : appts) {
      auto timer = std::make_shared<asio::steady_timer>(ioc_, a.eta + grace_);
      timers_.push_back(timer);
      timer->async_wait([self = shared_from_this(), door = a.door](error_code ec) {  // OK: by value
        if (!ec) self->release_door(door);
      });
    }
  }

  // ------------------------------------------------------------ departures

  void on_departure(const json& event) {
    std::string truck = event.at("truck_id").get<std::string>();
    int door = door_of(truck);
    if (door < 0) {
      // truck left from the overflow lot; still let the display know later
      run_later(ioc_.get_executor(), [&] { display_.door_changed(-1, truck); }); // expect: errorshield-deferred-ref-capture
      return;
    }
    run_later(ioc_.get_executor(), [this, door, truck] { display_.door_changed(door, truck); });  // OK
    release_door(door);
  }

  void swap_doors(const json& event) {
    int from = event.at("from").get<int>();
    int to = event.at("to").get<int>();
    auto& from_truck = door_to_truck_[from];
    auto& to_truck = door_to_truck_[to];
    std::swap(from_truck, to_truck);
    int door = from;
    after_settle_.push_back([&door, this] { display_.door_changed(door, door_to_truck_[door]); }); // expect: errorshield-deferred-ref-capture
    door = to;
    after_settle_.push_back([door, this] { display_.door_changed(door, door_to_truck_[door]); });  // OK
  }

  void settle() {
    auto hooks = std::move(after_settle_);
    after_settle_.clear();
    for (auto& h : hooks) asio::post(ioc_, std::move(h));
  }

  // ------------------------------------------------------------ planning (synchronous)

  std::vector<int> rank_doors(const std::string& carrier) {
    std::map<int, int> score;
    for (const auto& [door, truck] : door_to_truck_) score[door] = truck.empty() ? 0 : 10;
    std::vector<int> doors;
    for (const auto& [door, s] : score) doors.push_back(door);
    std::sort(doors.begin(), doors.end(),
              [&](int a, int b) { return score[a] < score[b]; });  // OK: invoked inside sort
    score.clear();
    preferred_[carrier] = doors.empty() ? -1 : doors.front();
    return doors;
  }

  void rebuild_yard_view() {
    asio::thread_pool pool(2);
    std::vector<std::string> lines(door_to_truck_.size());
    std::size_t idx = 0;
    for (const auto& [door, truck] : door_to_truck_) {
      asio::post(pool, [&lines, idx, door, truck] {  // OK: pool joined below, lines not reassigned
        lines[idx] = std::to_string(door) + ":" + truck;
      });
      ++idx;
    }
    pool.join();
    for (std::size_t i = 0; i < lines.size(); ++i) display_.door_changed(static_cast<int>(i), lines[i]);
  }

  asio::awaitable<void> drain_door(int door) {
    std::string truck = door_to_truck_[door];
    Finally mark_free([&] { door_to_truck_[door].clear(); });  // OK: door is a parameter, never reassigned
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::seconds(30));
    co_await t.async_wait(asio::use_awaitable);
    display_.door_changed(door, truck);
  }

 private:
  http::response<http::string_body> handle(const http::request<http::string_body>& req) {
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    json body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded()) {
      res.result(http::status::bad_request);
      res.body() = R"({"error":"bad json"})";
    } else if (req.target() == "/departure") {
      on_departure(body);
      res.body() = R"({"ok":true})";
    } else {
      res.body() = json{{"doors", door_to_truck_.size()}}.dump();
    }
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
  }

  void drop_connection(const std::string& carrier) {
    if (auto it = connections_.find(carrier); it != connections_.end() && --it->second == 0)
      connections_.erase(it);
  }

  int door_of(const std::string& truck) const {
    for (const auto& [door, t] : door_to_truck_)
      if (t == truck) return door;
    return -1;
  }

  void release_door(int door) {
    door_to_truck_[door].clear();
    display_.door_changed(door, "");
  }

  asio::io_context& ioc_;
  YardDisplay& display_;
  std::chrono::minutes grace_{20};
  std::unordered_map<std::string, int> connections_;
  std::map<int, std::string> door_to_truck_;
  std::unordered_map<std::string, int> preferred_;
  std::vector<std::shared_ptr<asio::steady_timer>> timers_;
  std::vector<std::function<void()>> after_settle_;
};

}  // namespace dock
