// checks: errorshield-ws-close-code
// Karaoke rooms server: singers and audience phones join a room over
// WebSocket, the room plays a queue of songs, and the host can kick people
// or shut the room down.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace karaoke {

// Application close codes shown by the phone app.
constexpr auto kRoomFull = static_cast<websocket::close_code>(4001);
constexpr auto kKickedByHost = static_cast<websocket::close_code>(4002);
constexpr auto kSongRejected = static_cast<websocket::close_code>(1004);

class Room;

class Member : public std::enable_shared_from_this<Member> {
public:
  Member(tcp::socket s, std::shared_ptr<Room> room) : ws_(std::move(s)), room_(std::move(room)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->join();
    });
  }

  void send(std::string text) {
    outbox_.push_back(std::move(text));
    if (outbox_.size() == 1) flush();
  }

  // Room shut down by the host.
  void room_closed() {
    ws_.async_close(websocket::close_code::going_away, [self = shared_from_this()](beast::error_code) {});
  }

  // Host pressed "kick".
  void kicked() {
    ws_.async_close(websocket::close_reason(kKickedByHost, "kicked by host"), [self = shared_from_this()](beast::error_code) {});
  }

  // Song request failed validation (unknown track or over length).
  void song_rejected(const std::string& why) {
    ws_.async_close(websocket::close_reason(kSongRejected, why), [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-close-code
  }

  // The mixer lost the audio device; tell clients the connection is gone.
  void mixer_lost() {
    ws_.async_close(websocket::close_code::abnormal, [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-close-code
  }

  const std::string& name() const { return name_; }

private:
  void join();
  void read_loop();
  void on_message(const json& msg);

  void flush() {
    ws_.text(true);
    ws_.async_write(net::buffer(outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->outbox_.pop_front();
      if (!self->outbox_.empty()) self->flush();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<Room> room_;
  beast::flat_buffer buf_;
  std::deque<std::string> outbox_;
  std::string name_;
};

class Room : public std::enable_shared_from_this<Room> {
public:
  explicit Room(std::string id, std::size_t capacity) : id_(std::move(id)), capacity_(capacity) {}

  bool add(const std::shared_ptr<Member>& m) {
    if (members_.size() >= capacity_) return false;
    members_.insert(m);
    return true;
  }
  void remove(const std::shared_ptr<Member>& m) { members_.erase(m); }

  void broadcast(const json& j) {
    const std::string text = j.dump();
    for (const auto& m : members_) m->send(text);
  }

  void enqueue(const std::string& singer, const std::string& track) {
    queue_.push_back({singer, track});
    broadcast({{"type", "queue"}, {"size", queue_.size()}});
  }

  void shutdown() {
    for (const auto& m : members_) m->room_closed();
    members_.clear();
  }

  const std::string& id() const { return id_; }

private:
  std::string id_;
  std::size_t capacity_;
  std::set<std::shared_ptr<Member>> members_;
  std::deque<std::pair<std::string, std::string>> queue_;
};

void Member::join() {
  if (!room_->add(shared_from_this())) {
    ws_.async_close(websocket::close_reason(kRoomFull, "room full"), [self = shared_from_this()](beast::error_code) {});
    return;
  }
  read_loop();
}

void Member::read_loop() {
  ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) {
      if (ec == websocket::error::closed && self->ws_.reason().code == websocket::close_code::abnormal)
        std::clog << "member dropped without close frame\n";
      self->room_->remove(self);
      return;
    }
    auto msg = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
    self->buf_.consume(self->buf_.size());
    if (!msg.is_discarded()) self->on_message(msg);
    self->read_loop();
  });
}

void Member::on_message(const json& msg) {
  const auto type = msg.value("type", "");
  if (type == "hello") {
    name_ = msg.value("name", "anon");
  } else if (type == "request") {
    const auto track = msg.value("track", "");
    if (track.empty() || track.size() > 64) {
      song_rejected("unknown track");
      return;
    }
    room_->enqueue(name_, track);
  } else if (type == "leave") {
    ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {});
  }
}

// Helper shared by the admin endpoints.
template <class Stream>
void end_session(websocket::stream<Stream>& ws, websocket::close_reason why) {
  beast::error_code ec;
  ws.close(why, ec);
  if (ec) std::clog << "close: " << ec.message() << '\n';
}

// Scoring display (big screen in the room), synchronous thread.
void scoring_display(tcp::socket sock, std::shared_ptr<Room> room) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  beast::flat_buffer b;
  beast::error_code ec;
  ws.read(b, ec);
  if (ec) {
    end_session(ws, websocket::close_code::no_status); // expect: errorshield-ws-close-code
    return;
  }
  ws.write(net::buffer(json{{"room", room->id()}, {"score", 0}}.dump()));
  end_session(ws, websocket::close_code::normal);
}

// Remote singers join through the TLS-terminating proxy; coroutine style.
net::awaitable<void> remote_singer(tcp::socket sock, std::shared_ptr<Room> room) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer b;
  auto [ec, n] = co_await ws.async_read(b, net::as_tuple(net::use_awaitable));
  if (ec == beast::error::timeout) {
    co_await ws.async_close(websocket::close_reason{static_cast<websocket::close_code>(1015), "proxy tls failure"}, net::use_awaitable); // expect: errorshield-ws-close-code
    co_return;
  }
  if (ec) co_return;
  auto msg = json::parse(beast::buffers_to_string(b.data()), nullptr, false);
  if (msg.is_discarded()) {
    co_await ws.async_close(websocket::close_code::bad_payload, net::use_awaitable);
    co_return;
  }
  room->enqueue(msg.value("name", "remote"), msg.value("track", ""));
  co_await ws.async_close(websocket::close_reason(static_cast<websocket::close_code>(3000), "queued"), net::use_awaitable);
}

// Admin console that rotates rooms at closing time.
class RoomAdmin {
public:
  void close_all(std::map<std::string, std::shared_ptr<Room>>& rooms) {
    for (auto& [id, r] : rooms) r->shutdown();
    rooms.clear();
  }

  template <class Stream>
  void maintenance(websocket::stream<Stream>& ws, bool restarting) {
    if (restarting) {
      ws.async_close(websocket::close_code::try_again_later, [](beast::error_code) {});
    } else {
      ws.async_close(websocket::close_reason(std::uint16_t{2500}), [](beast::error_code) {}); // expect: errorshield-ws-close-code
    }
  }

  template <class Stream>
  void policy_violation(websocket::stream<Stream>& ws) {
    ws.async_close({websocket::close_code::policy_error, "lyrics filter"}, [](beast::error_code) {});
  }
};

net::awaitable<void> listen(tcp::acceptor acc, std::shared_ptr<Room> room) {
  for (;;) {
    auto s = co_await acc.async_accept(net::use_awaitable);
    std::make_shared<Member>(std::move(s), room)->start();
  }
}

}  // namespace karaoke

int main() {
  net::io_context ioc;
  auto room = std::make_shared<karaoke::Room>("room-7", 12);
  net::co_spawn(ioc, karaoke::listen(tcp::acceptor(ioc, {tcp::v4(), 8900}), room), net::detached);
  websocket::stream<beast::tcp_stream> admin_ws(ioc);
  karaoke::RoomAdmin admin;
  admin.maintenance(admin_ws, false);
  admin.policy_violation(admin_ws);
  ioc.run();
}
