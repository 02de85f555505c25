// checks: errorshield-ws-concurrent-write
// Container terminal tracker: gate kiosks, yard cranes and the planning
// dashboard connect over WebSocket and receive container move events.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace terminal {

struct ContainerMove {
  std::string iso_code;  // e.g. MSCU1234565
  std::string from_slot;
  std::string to_slot;
  int crane_id = 0;
  json to_json() const {
    return {{"container", iso_code}, {"from", from_slot}, {"to", to_slot}, {"crane", crane_id}};
  }
};

std::string estimate_eta(const std::string& truck_plate);

// Session used by gate kiosks and the planning dashboard.
class TerminalClient : public std::enable_shared_from_this<TerminalClient> {
 public:
  explicit TerminalClient(tcp::socket s)
      : ws_(std::move(s)), keepalive_(ws_.get_executor()) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(32 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->arm_keepalive();
      self->do_read();
    });
  }

  // Safe from any thread: hops onto the stream's executor and queues.
  void send(std::string text) {
    auto msg = std::make_shared<const std::string>(std::move(text));
    net::post(ws_.get_executor(), [self = shared_from_this(), msg] {
      self->queue_.push_back(msg);
      if (self->queue_.size() > 1) return;  // a write is already running
      self->write_front();
    });
  }

 private:
  void write_front() {
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front()),  // OK: only the head of the queue is in flight
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->on_write(ec);
                    });
  }

  void on_write(beast::error_code ec) {
    if (ec) {
      queue_.clear();
      return;
    }
    queue_.pop_front();
    if (!queue_.empty()) write_front();  // OK: previous write has completed
  }

  void do_read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->on_message(json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false));
      self->in_.consume(self->in_.size());
      self->do_read();
    });
  }

  void on_message(const json& req) {
    if (req.is_discarded()) return;
    const auto op = req.value("op", std::string{});
    if (op == "gate_in") {
      const auto plate = req.value("truck", std::string{});
      send(json{{"op", "gate_ack"}, {"truck", plate}}.dump());
      // The kiosk screen wants the ETA immediately, not behind the ack.
      eta_ = json{{"op", "eta"}, {"truck", plate}, {"eta", estimate_eta(plate)}}.dump();
      ws_.async_write(net::buffer(eta_), [self = shared_from_this()](beast::error_code, std::size_t) {});  // expect: errorshield-ws-concurrent-write
    } else if (op == "where_is") {
      send(json{{"op", "location"}, {"container", req.value("container", std::string{})}}.dump());
      send(json{{"op", "hint"}, {"text", "use the yard map for detail"}}.dump());  // OK: queued
    }
  }

  void arm_keepalive() {
    keepalive_.expires_after(std::chrono::seconds(15));
    keepalive_.async_wait([weak = weak_from_this()](beast::error_code ec) {
      if (ec) return;
      auto self = weak.lock();
      if (!self) return;
      self->beat_ = json{{"op", "beat"}, {"ts", std::chrono::system_clock::now().time_since_epoch().count()}}.dump();
      self->ws_.async_write(net::buffer(self->beat_), [self](beast::error_code, std::size_t) {});  // expect: errorshield-ws-concurrent-write
      self->arm_keepalive();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer keepalive_;
  beast::flat_buffer in_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::string eta_;
  std::string beat_;
};

// Feed to the crane cabs. Written by the yard team; no queue, a flag instead.
class CraneFeed : public std::enable_shared_from_this<CraneFeed> {
 public:
  explicit CraneFeed(websocket::stream<beast::tcp_stream> ws) : ws_(std::move(ws)) {}

  void publish(const ContainerMove& mv) {
    pending_.push_back(mv.to_json().dump());
    if (writing_) return;
    pump();
  }

  // End-of-shift replay: the cab reloads every move it missed.
  void replay(const std::vector<ContainerMove>& missed) {
    for (const auto& mv : missed) {
      auto text = std::make_shared<std::string>(mv.to_json().dump());
      ws_.async_write(net::buffer(*text), [text](beast::error_code, std::size_t) {});  // expect: errorshield-ws-concurrent-write
    }
  }

 private:
  void pump() {
    if (pending_.empty()) {
      writing_ = false;
      return;
    }
    writing_ = true;
    current_ = std::move(pending_.front());
    pending_.pop_front();
    ws_.async_write(net::buffer(current_), [self = shared_from_this()](beast::error_code ec, std::size_t) {  // OK: guarded by writing_
      if (ec) {
        self->writing_ = false;
        return;
      }
      self->pump();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::deque<std::string> pending_;
  std::string current_;
  bool writing_ = false;
};

// Customs holds: the planning dashboard gets a short banner and then details.
net::awaitable<void> customs_hold_notifier(websocket::stream<beast::tcp_stream>& ws,
                                           std::string container, std::string reason) {
  const std::string banner = json{{"op", "hold"}, {"container", container}}.dump();
  const std::string details = json{{"op", "hold_detail"}, {"container", container}, {"reason", reason}}.dump();
  ws.async_write(net::buffer(banner), net::detached);
  co_await ws.async_write(net::buffer(details), net::use_awaitable);  // expect: errorshield-ws-concurrent-write
}

// Vessel berthing: same dashboard, done properly one after the other.
net::awaitable<void> berth_notifier(websocket::stream<beast::tcp_stream>& ws, std::string vessel,
                                    int berth) {
  const std::string header = json{{"op", "berth"}, {"vessel", vessel}}.dump();
  const std::string body = json{{"op", "berth_detail"}, {"vessel", vessel}, {"berth", berth}}.dump();
  co_await ws.async_write(net::buffer(header), net::use_awaitable);
  co_await ws.async_write(net::buffer(body), net::use_awaitable);  // OK: first one finished
}

class Hub {
 public:
  void add(std::shared_ptr<TerminalClient> c) {
    std::lock_guard lk(mu_);
    clients_.push_back(std::move(c));
  }
  void add_crane(int id, std::shared_ptr<CraneFeed> f) {
    std::lock_guard lk(mu_);
    if (static_cast<std::size_t>(id) >= cranes_.size()) cranes_.resize(id + 1);
    cranes_[id] = std::move(f);
  }

  void on_move(const ContainerMove& mv) {
    std::vector<std::shared_ptr<TerminalClient>> targets;
    std::shared_ptr<CraneFeed> crane;
    {
      std::lock_guard lk(mu_);
      targets = clients_;
      if (static_cast<std::size_t>(mv.crane_id) < cranes_.size()) crane = cranes_[mv.crane_id];
    }
    const auto text = mv.to_json().dump();
    for (auto& c : targets) c->send(text);  // OK: each client has its own queue
    if (crane) crane->publish(mv);
  }

 private:
  std::mutex mu_;
  std::vector<std::shared_ptr<TerminalClient>> clients_;
  std::vector<std::shared_ptr<CraneFeed>> cranes_;
};

net::awaitable<void> dashboard_jobs(websocket::stream<beast::tcp_stream>& dash) {
  co_await berth_notifier(dash, "MAERSK ELBA", 4);
  co_await customs_hold_notifier(dash, "TGHU9876543", "x-ray");
}

void start_dashboard_jobs(net::io_context& ioc, websocket::stream<beast::tcp_stream>& dash) {
  net::co_spawn(ioc, dashboard_jobs(dash), net::detached);
}

}  // namespace terminal
