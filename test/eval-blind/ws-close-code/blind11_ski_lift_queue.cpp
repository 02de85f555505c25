// checks: errorshield-ws-close-code
// Lift-queue display service: gate sensors report skier counts, the service
// turns them into wait-time estimates and pushes them to the LED boards at
// each lift base over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace liftq {

constexpr std::uint16_t kLiftClosed = 1004;  // next free code after unknown_data
constexpr auto kHeartbeat = std::chrono::seconds(20);

inline bool is_sendable(std::uint16_t c) {
  return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1013) || (c >= 3000 && c <= 4999);
}

struct LiftState {
  std::string name;
  int queue_len = 0;
  int chairs_per_min = 0;
  bool open = true;
  std::uint16_t sensor_fault_code = 0;  // vendor code reported by the gate controller
};

class Board : public std::enable_shared_from_this<Board> {
 public:
  Board(tcp::socket s, std::map<std::string, LiftState>& lifts, std::mutex& mu)
      : ws_(std::move(s)), heartbeat_(ws_.get_executor()), lifts_(lifts), lifts_mu_(mu) {}

  websocket::stream<beast::tcp_stream>& ws() { return ws_; }
  const std::string& lift() const { return lift_id_; }
  json status() const { return {{"lift", lift_id_}, {"last_close", last_close_}}; }

  void run(http::request<http::string_body> req) {
    req_ = std::move(req);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(4096);
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->authorise();
    });
  }

  void push(const LiftState& st) {
    out_ = json{{"lift", st.name},
                {"queue", st.queue_len},
                {"wait_min", st.chairs_per_min ? st.queue_len / st.chairs_per_min : -1}}
               .dump();
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) self->last_close_ = websocket::close_code::abnormal;  // OK: shown on the ops dashboard only
    });
  }

  void lift_shut_for_wind() {
    ws_.async_close(kLiftClosed, [self = shared_from_this()](beast::error_code) {});  // expect: errorshield-ws-close-code
  }

  void sensor_fault(const LiftState& st) {
    std::uint16_t code = st.sensor_fault_code;
    if (!is_sendable(code)) code = websocket::close_code::internal_error;
    ws_.async_close(code, [self = shared_from_this()](beast::error_code) {});  // OK: guarded above
  }

 private:
  void authorise() {
    auto key = req_.find("X-Board-Key");
    if (key == req_.end() || key->value() != "resort-led-2024") {
      const auto code = static_cast<std::uint16_t>(4000 + static_cast<unsigned>(http::status::unauthorized));
      ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), "bad key"),
                      [self = shared_from_this()](beast::error_code) {});  // OK: 4401
      return;
    }
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_subscribe(ec);
    });
  }

  void on_subscribe(beast::error_code ec) {
    if (ec) return;
    json sub = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (sub.is_discarded() || !sub.contains("lift")) {
      ws_.async_close(websocket::close_code::policy_error, [self = shared_from_this()](beast::error_code) {});  // OK
      return;
    }
    lift_id_ = sub["lift"].get<std::string>();
    std::optional<LiftState> st;
    {
      std::lock_guard lk(lifts_mu_);
      if (auto it = lifts_.find(lift_id_); it != lifts_.end()) st = it->second;
    }
    if (!st) {
      ws_.async_close(static_cast<std::uint16_t>(http::status::not_found), [self = shared_from_this()](beast::error_code) {});  // expect: errorshield-ws-close-code
      return;
    }
    push(*st);
    arm_heartbeat();
    keep_reading();
  }

  void keep_reading() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->buf_.consume(self->buf_.size());
      self->missed_pongs_ = 0;
      self->keep_reading();
    });
  }

  void arm_heartbeat();

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer heartbeat_;
  std::map<std::string, LiftState>& lifts_;
  std::mutex& lifts_mu_;
  http::request<http::string_body> req_;
  beast::flat_buffer buf_;
  std::string out_;
  std::string lift_id_;
  std::uint16_t last_close_ = websocket::close_code::normal;
  int missed_pongs_ = 0;
  friend void drop_board(Board& b, std::uint16_t code);
};

// Shared by the heartbeat and the admin endpoint so both log the same way.
void drop_board(Board& b, std::uint16_t code) {
  b.last_close_ = code;
  b.heartbeat_.cancel();
  b.ws_.async_close(code, [self = b.shared_from_this()](beast::error_code) {});
}

void Board::arm_heartbeat() {
  heartbeat_.expires_after(kHeartbeat);
  heartbeat_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    if (ec) return;
    auto self = weak.lock();
    if (!self) return;
    if (++self->missed_pongs_ > 3) {
      drop_board(*self, websocket::close_code::abnormal);  // expect: errorshield-ws-close-code
      return;
    }
    self->ws_.async_ping({}, [](beast::error_code) {});
    self->arm_heartbeat();
  });
}

template <std::uint16_t Code>
void close_all(const std::vector<std::shared_ptr<Board>>& boards, const char* why) {
  for (auto& b : boards)
    b->ws().async_close(websocket::close_reason(static_cast<websocket::close_code>(Code), why),
                        [b](beast::error_code) {});
}

class Service {
 public:
  explicit Service(net::io_context& ioc) : ioc_(ioc) {}

  void add(std::shared_ptr<Board> b) {
    std::lock_guard lk(boards_mu_);
    boards_.push_back(std::move(b));
  }

  void on_sensor(const std::string& lift, int queue_len, int chairs_per_min, std::uint16_t fault) {
    LiftState st;
    {
      std::lock_guard lk(lifts_mu_);
      auto& s = lifts_[lift];
      s.name = lift;
      s.queue_len = queue_len;
      s.chairs_per_min = chairs_per_min;
      s.sensor_fault_code = fault;
      st = s;
    }
    for (auto& b : boards_for(lift)) {
      if (fault != 0)
        net::post(b->ws().get_executor(), [b, st] { b->sensor_fault(st); });
      else
        net::post(b->ws().get_executor(), [b, st] { b->push(st); });
    }
  }

  void wind_hold(const std::string& lift) {
    for (auto& b : boards_for(lift))
      net::post(b->ws().get_executor(), [b] { b->lift_shut_for_wind(); });
  }

  void end_of_day() { close_all<websocket::close_code::going_away>(all(), "lifts closed for the day"); }

  void software_update() { close_all<websocket::close_code::service_restart>(all(), "update"); }

  void storm_closure() { close_all<kLiftClosed>(all(), "resort closed: storm"); }  // expect: errorshield-ws-close-code

  void evict(const std::string& lift) {
    for (auto& b : boards_for(lift)) drop_board(*b, 4410);  // OK: private range
  }

  // Runs on the shutdown thread after ioc_.stop(); blocking close is fine here.
  void hard_stop(bool restarting) {
    for (auto* b : raw()) {
      beast::error_code ec;
      if (restarting)
        b->ws().close(websocket::close_code::service_restart, ec);  // OK
      else
        b->ws().close(websocket::close_code::no_status, ec);  // expect: errorshield-ws-close-code
    }
  }

 private:
  std::vector<std::shared_ptr<Board>> all() {
    std::lock_guard lk(boards_mu_);
    return boards_;
  }
  std::vector<Board*> raw() {
    std::lock_guard lk(boards_mu_);
    std::vector<Board*> out;
    for (auto& b : boards_) out.push_back(b.get());
    return out;
  }
  std::vector<std::shared_ptr<Board>> boards_for(const std::string& lift) {
    std::lock_guard lk(boards_mu_);
    std::vector<std::shared_ptr<Board>> out;
    for (auto& b : boards_)
      if (b->lift() == lift) out.push_back(b);
    return out;
  }

  net::io_context& ioc_;
  std::mutex lifts_mu_;
  std::map<std::string, LiftState> lifts_;
  std::mutex boards_mu_;
  std::vector<std::shared_ptr<Board>> boards_;
};

}  // namespace liftq
