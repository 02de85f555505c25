// checks: errorshield-ws-close-code
// Online-classroom signalling server: relays WebRTC offers/answers/ICE candidates
// between the teacher and students of a room, enforces room policy and tears
// connections down with meaningful close codes for the browser client.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

// Application close codes understood by the classroom web client (private range).
enum class room_close : std::uint16_t {
  kicked_by_teacher = 4001,
  room_full = 4002,
  duplicate_login = 4003,
  class_ended = 4004,
  recording_consent_refused = 5003,
};

inline websocket::close_reason app_reason(room_close c, beast::string_view why) {
  websocket::close_reason r;
  r.code = static_cast<std::uint16_t>(c);
  r.reason = why;
  return r;
}

class signalling_peer;

struct classroom {
  std::string teacher_id;
  std::map<std::string, std::weak_ptr<signalling_peer>> members;
  std::size_t capacity = 40;
  bool require_recording_consent = false;
};

class signalling_peer : public std::enable_shared_from_this<signalling_peer> {
public:
  signalling_peer(tcp::socket s, std::map<std::string, classroom>& rooms)
      : ws_(std::move(s)), rooms_(rooms), heartbeat_(ws_.get_executor()) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout{30s, websocket::stream_base::none(), false});
    ws_.read_message_max(32 * 1024);
    ws_.async_accept(beast::bind_front_handler(&signalling_peer::on_accept, shared_from_this()));
  }

  // Called by the room when the teacher presses "End class".
  void end_class() { close_with(websocket::close_code::no_status, "class ended"); } // expect: errorshield-ws-close-code

  void kick(const std::string& why) {
    close_raw(app_reason(room_close::kicked_by_teacher, why));
  }

  void drain_for_deploy() { close_with(websocket::close_code::service_restart, "deploy"); }

  void shutdown() { close_with(websocket::close_code::going_away, "server stopping"); }

  const std::string& user() const { return user_; }

private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    arm_heartbeat();
    read_next();
  }

  void read_next() {
    ws_.async_read(buf_, beast::bind_front_handler(&signalling_peer::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) {
      log_peer_close();
      return leave_room();
    }
    if (ec == websocket::error::message_too_big) {
      // a huge SDP blob: tell the client precisely why
      return close_with(websocket::close_code::too_big, "sdp too large");
    }
    if (ec) return leave_room();
    last_seen_ = std::chrono::steady_clock::now();
    auto msg = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (msg.is_discarded())
      return close_with(websocket::close_code::bad_payload, "invalid json");
    dispatch(msg);
    if (!closing_) read_next();
  }

  void dispatch(const json& msg) {
    auto type = msg.value("type", "");
    if (type == "join") return on_join(msg);
    if (type == "offer" || type == "answer" || type == "ice") return relay(msg);
    if (type == "consent") return on_consent(msg);
    close_with(websocket::close_code::policy_error, "unknown message type");
  }

  void on_join(const json& msg) {
    user_ = msg.value("user", "");
    room_id_ = msg.value("room", "");
    auto token_age = std::chrono::seconds(msg.value("token_age_s", 0));
    if (token_age > 1h) {
      // mirror what the REST API returns for an expired session
      return close_raw({static_cast<websocket::close_code>(403), "session expired"}); // expect: errorshield-ws-close-code
    }
    if (!msg.value("enrolled", false)) {
      // 3003 is the registered "Forbidden" code
      return close_raw({static_cast<websocket::close_code>(3003), "not enrolled"});
    }
    if (!msg.value("deflate", false)) {
      // video tiles are only sent compressed; refuse peers that cannot inflate
      return close_with(websocket::close_code::needs_extension, "permessage-deflate required"); // expect: errorshield-ws-close-code
    }
    auto& room = rooms_[room_id_];
    if (room.members.count(user_))
      return close_raw(app_reason(room_close::duplicate_login, "already connected"));
    if (room.members.size() >= room.capacity)
      return close_raw(app_reason(room_close::room_full, "room is full"));
    room.members[user_] = weak_from_this();
  }

  void on_consent(const json& msg) {
    auto& room = rooms_[room_id_];
    if (room.require_recording_consent && !msg.value("accepted", false))
      close_raw(app_reason(room_close::recording_consent_refused, "recording consent required")); // expect: errorshield-ws-close-code
  }

  void relay(const json& msg) {
    auto it = rooms_.find(room_id_);
    if (it == rooms_.end()) return;
    auto target = it->second.members.find(msg.value("to", ""));
    if (target == it->second.members.end()) return;
    if (auto peer = target->second.lock()) peer->send(msg.dump());
  }

  void send(std::string s) {
    outq_.push_back(std::move(s));
    if (outq_.size() == 1) write_front();
  }

  void write_front() {
    ws_.async_write(asio::buffer(outq_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) return;
                      self->outq_.pop_front();
                      if (!self->outq_.empty()) self->write_front();
                    });
  }

  void arm_heartbeat() {
    heartbeat_.expires_after(20s);
    heartbeat_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closing_) return;
      if (std::chrono::steady_clock::now() - self->last_seen_ > 45s) {
        // browser tab went to sleep / network dropped
        return self->close_raw({websocket::close_code::abnormal, "heartbeat lost"}); // expect: errorshield-ws-close-code
      }
      self->arm_heartbeat();
    });
  }

  void log_peer_close() {
    // Only inspects what the browser sent; nothing is written on the wire.
    auto code = ws_.reason().code;
    if (code == websocket::close_code::abnormal || code == websocket::close_code::no_status)
      std::clog << "peer " << user_ << " vanished without a status\n";
    else
      std::clog << "peer " << user_ << " closed with " << code << '\n';
  }

  void close_with(websocket::close_code code, beast::string_view why) {
    close_raw(websocket::close_reason(code, why));
  }

  void close_raw(const websocket::close_reason& cr) {
    if (closing_) return;
    closing_ = true;
    heartbeat_.cancel();
    ws_.async_close(cr, [self = shared_from_this()](beast::error_code) { self->leave_room(); });
  }

  void leave_room() {
    if (auto it = rooms_.find(room_id_); it != rooms_.end()) it->second.members.erase(user_);
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::map<std::string, classroom>& rooms_;
  asio::steady_timer heartbeat_;
  beast::flat_buffer buf_;
  std::deque<std::string> outq_;
  std::string user_, room_id_;
  std::chrono::steady_clock::time_point last_seen_ = std::chrono::steady_clock::now();
  bool closing_ = false;
};

// Overload shedding at the acceptor: accept the upgrade, then immediately ask the
// browser to retry later so its reconnect backoff kicks in.
void shed_load(tcp::socket s) {
  auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(s));
  ws->async_accept([ws](beast::error_code ec) {
    if (ec) return;
    ws->async_close(websocket::close_code::try_again_later, [ws](beast::error_code) {});
  });
}

int main() {
  asio::io_context ioc;
  std::map<std::string, classroom> rooms;
  tcp::acceptor acc(ioc, {tcp::v4(), 8443});
  std::size_t live = 0;
  std::function<void()> accept_next = [&] {
    acc.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        if (++live > 5000) shed_load(std::move(s));
        else std::make_shared<signalling_peer>(std::move(s), rooms)->start();
      }
      accept_next();
    });
  };
  accept_next();
  ioc.run();
}
