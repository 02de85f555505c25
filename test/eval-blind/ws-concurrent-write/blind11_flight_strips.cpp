// checks: errorshield-ws-concurrent-write
// Electronic flight-strip feed: pushes strip updates to controller working
// positions over WebSocket and mirrors them to the old tower strip printer
// over a raw TCP link.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace strips {

struct Strip {
  std::string callsign;
  std::string squawk;
  int cleared_fl = 0;
  std::string next_sector;
  bool needs_coordination = false;
};

inline std::string strip_json(const Strip& s, const char* state) {
  return json{{"cs", s.callsign}, {"sq", s.squawk}, {"cfl", s.cleared_fl}, {"next", s.next_sector}, {"state", state}}
      .dump();
}

class ConflictProbe {
 public:
  using Listener = std::function<void(const json&)>;
  void on_conflict(Listener l) {
    std::lock_guard lk(mu_);
    listeners_.push_back(std::move(l));
  }
  void raise(const json& alert) {
    std::vector<Listener> copy;
    {
      std::lock_guard lk(mu_);
      copy = listeners_;
    }
    for (auto& l : copy) l(alert);
  }

 private:
  std::mutex mu_;
  std::vector<Listener> listeners_;
};

class WorkingPosition : public std::enable_shared_from_this<WorkingPosition> {
 public:
  WorkingPosition(tcp::socket s, std::string sector) : ws_(std::move(s)), sector_(std::move(sector)) {}

  websocket::stream<beast::tcp_stream>& ws() { return ws_; }
  const std::string& sector() const { return sector_; }

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->maybe_write();
    });
  }

  void enqueue(std::string msg) {
    net::post(ws_.get_executor(), [self = shared_from_this(), m = std::move(msg)]() mutable {
      self->outbox_.push_back(std::move(m));
      self->maybe_write();
    });
  }

  void install_hooks(ConflictProbe& stca, ConflictProbe& mtcd) {
    // Short-term conflict alert: must reach the screen "immediately".
    stca.on_conflict([weak = weak_from_this()](const json& alert) {
      auto self = weak.lock();
      if (!self) return;
      net::post(self->ws_.get_executor(), [self, text = alert.dump()] {
        self->alert_ = text;
        self->ws_.async_write(net::buffer(self->alert_), [self](beast::error_code, std::size_t) {});  // expect: errorshield-ws-concurrent-write
      });
    });
    // Medium-term conflict detection: goes through the outbox like everything else.
    mtcd.on_conflict([weak = weak_from_this()](const json& alert) {
      if (auto self = weak.lock()) self->enqueue(alert.dump());  // OK
    });
  }

 private:
  void maybe_write() {
    if (write_in_progress_ || outbox_.empty()) return;
    write_in_progress_ = true;
    ws_.async_write(net::buffer(outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {  // OK: flag-guarded
      self->write_in_progress_ = false;
      if (ec) return;
      self->outbox_.pop_front();
      self->maybe_write();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::string sector_;
  std::deque<std::string> outbox_;
  std::string alert_;
  bool write_in_progress_ = false;
};

// Old tower strip printer: 8-byte ASCII length header followed by the body.
class LegacyTowerLink {
 public:
  explicit LegacyTowerLink(tcp::socket s) : sock_(std::move(s)) {}

  void queue_strip(std::string body) {
    q_.push_back(std::move(body));
    flush();
  }

  // Called once right after connect, before any strip is queued.
  void greet(const std::string& tower_id, const std::string& sector_map) {
    hello_ = "HELLO " + tower_id + "\n";
    map_ = sector_map;
    net::async_write(sock_, net::buffer(hello_), [](beast::error_code, std::size_t) {});
    net::async_write(sock_, net::buffer(map_), [](beast::error_code, std::size_t) {});  // expect: errorshield-ws-concurrent-write
  }

  void send_emergency(const Strip& s) {
    // Squawk 7500/7600/7700 jumps the queue.
    emerg_body_ = strip_json(s, "EMERG");
    std::snprintf(emerg_hdr_.data(), emerg_hdr_.size(), "%07zu", emerg_body_.size());
    std::array<net::const_buffer, 2> bufs{net::buffer(emerg_hdr_.data(), 7), net::buffer(emerg_body_)};
    net::async_write(sock_, bufs, [](beast::error_code, std::size_t) {});  // expect: errorshield-ws-concurrent-write
  }

 private:
  void flush() {
    if (busy_ || q_.empty()) return;
    busy_ = true;
    std::snprintf(hdr_.data(), hdr_.size(), "%07zu", q_.front().size());
    net::async_write(sock_, net::buffer(hdr_.data(), 7), [this](beast::error_code ec, std::size_t) {  // OK
      if (ec) {
        busy_ = false;
        return;
      }
      net::async_write(sock_, net::buffer(q_.front()), [this](beast::error_code ec2, std::size_t) {  // OK: header done
        busy_ = false;
        if (ec2) return;
        q_.pop_front();
        flush();
      });
    });
  }

  tcp::socket sock_;
  std::deque<std::string> q_;
  std::array<char, 8> hdr_{};
  std::array<char, 8> emerg_hdr_{};
  std::string emerg_body_;
  std::string hello_;
  std::string map_;
  bool busy_ = false;
};

// Amendments: the display must first retract the old strip, then show the new one.
template <class Stream>
void send_amendment(Stream& s, std::shared_ptr<const std::string> retract,
                    std::shared_ptr<const std::string> amended) {
  s.async_write(net::buffer(*retract), [retract](beast::error_code, std::size_t) {});
  s.async_write(net::buffer(*amended), [amended](beast::error_code, std::size_t) {});  // expect: errorshield-ws-concurrent-write
}

template <class Stream>
net::awaitable<void> send_amendment_seq(Stream& s, std::string retract, std::string amended) {
  co_await s.async_write(net::buffer(retract), net::use_awaitable);
  co_await s.async_write(net::buffer(amended), net::use_awaitable);  // OK: sequential
}

class FeedServer {
 public:
  FeedServer(net::io_context& ioc, LegacyTowerLink& tower) : ioc_(ioc), tower_(tower) {}

  void add(std::shared_ptr<WorkingPosition> wp) {
    std::lock_guard lk(mu_);
    positions_[wp->sector()] = std::move(wp);
  }

  void update(const Strip& s, const std::string& sector) {
    if (auto wp = find(sector)) wp->enqueue(strip_json(s, "update"));
    tower_.queue_strip(strip_json(s, "update"));
    if (s.squawk == "7700" || s.squawk == "7600" || s.squawk == "7500") tower_.send_emergency(s);
  }

  void handover(const Strip& s, const std::string& from, const std::string& to) {
    auto out = find(from);
    auto in = find(to);
    if (out) out->enqueue(strip_json(s, "handed_off"));  // OK: different position, own queue
    if (!in) return;
    in->enqueue(strip_json(s, "incoming"));
    if (s.needs_coordination) {
      auto note = std::make_shared<std::string>(
          json{{"cs", s.callsign}, {"coord", "call " + from + " before climb"}}.dump());
      in->ws().async_write(net::buffer(*note), [note](beast::error_code, std::size_t) {});  // expect: errorshield-ws-concurrent-write
    }
  }

  // Bulletin board next to the supervisor desk: its own stream, nothing else writes to it.
  void amend_on_bulletin(websocket::stream<beast::tcp_stream>& board, const Strip& before, const Strip& after) {
    send_amendment(board, std::make_shared<const std::string>(strip_json(before, "retract")),
                   std::make_shared<const std::string>(strip_json(after, "amended")));
  }

  // Ops wall display: a separate stream owned by the wall controller.
  void amend_on_ops_wall(websocket::stream<beast::tcp_stream>& wall, const Strip& before, const Strip& after) {
    net::co_spawn(ioc_, send_amendment_seq(wall, strip_json(before, "retract"), strip_json(after, "amended")),
                  net::detached);
  }

 private:
  std::shared_ptr<WorkingPosition> find(const std::string& sector) {
    std::lock_guard lk(mu_);
    auto it = positions_.find(sector);
    return it == positions_.end() ? nullptr : it->second;
  }

  net::io_context& ioc_;
  LegacyTowerLink& tower_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<WorkingPosition>> positions_;
};

}  // namespace strips
