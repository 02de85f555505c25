// checks: errorshield-ws-close-code
// Escape-room hint server. Every room has a wall tablet that shows hints and the
// countdown; the game master pushes hints from the control desk. Tablets that go
// quiet are kicked so the spare tablet can take over, and rooms are reset
// between bookings.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace hints {

// Close codes the tablet app understands; anything else shows "Connection lost".
enum class hint_close : std::uint16_t {
  game_over = 4000,
  room_reset = 4001,
  tablet_replaced = 4002,
  maintenance = 5000,
};

struct room_info {
  std::uint16_t number = 0;
  std::string title;
  std::chrono::minutes length{60};
  bool open = true;
  int hints_used = 0;
};

class room_directory {
 public:
  room_directory() {
    rooms_[1001] = {1001, "The Alchemist's Study", std::chrono::minutes{60}};
    rooms_[1002] = {1002, "Submarine K-19", std::chrono::minutes{75}};
    rooms_[1005] = {1005, "Haunted Orphanage", std::chrono::minutes{60}};
    rooms_[1006] = {1006, "Pharaoh's Tomb", std::chrono::minutes{60}};
  }
  room_info* find(std::uint16_t n) {
    auto it = rooms_.find(n);
    return it == rooms_.end() ? nullptr : &it->second;
  }
  void close_room(std::uint16_t n) {
    if (auto* r = find(n)) r->open = false;
  }

 private:
  std::map<std::uint16_t, room_info> rooms_;
};

// Seasonal rooms go dark after Halloween.
inline void retire_seasonal_rooms(room_directory& dir) {
  dir.close_room(1005);
  dir.close_room(1006);
}

class tablet_session : public std::enable_shared_from_this<tablet_session> {
 public:
  tablet_session(tcp::socket s, room_directory& rooms)
      : ws_(std::move(s)), rooms_(rooms), idle_(ws_.get_executor()) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(8 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->arm_idle();
      self->do_read();
    });
  }

  void push_hint(const std::string& text, bool final_hint) {
    json msg{{"type", "hint"}, {"text", text}, {"final", final_hint}};
    if (final_hint && room_) {
      if (auto* r = rooms_.find(room_)) {
        if (r->number == 1006) msg["lock_code"] = 1006;
        ++r->hints_used;
      }
    }
    queue_.push_back(msg.dump());
    if (queue_.size() == 1) write_next();
  }

  void close_tablet(hint_close why) {
    ws_.async_close(static_cast<std::uint16_t>(why), [self = shared_from_this()](beast::error_code) {});
  }

  void end_game() { close_tablet(hint_close::game_over); }
  void reset_room() { close_tablet(hint_close::room_reset); }
  void replaced() { close_tablet(hint_close::tablet_replaced); }
  void firmware_window() { close_tablet(hint_close::maintenance); } // expect: errorshield-ws-close-code

 private:
  void arm_idle() {
    idle_.expires_after(std::chrono::seconds(90));
    idle_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      std::clog << "hints: tablet in room " << self->room_ << " silent, kicking\n";
      self->ws_.async_close(websocket::close_code::abnormal, [self](beast::error_code) {}); // expect: errorshield-ws-close-code
    });
  }

  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->idle_.cancel();
        if (ec == websocket::error::closed && self->ws_.reason().code == websocket::close_code::no_status)
          std::clog << "hints: tablet closed without status\n";
        return;
      }
      self->arm_idle();
      self->on_message();
    });
  }

  void on_message() {
    auto j = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (j.is_discarded()) {
      ws_.async_close(websocket::close_code::bad_payload, [self = shared_from_this()](beast::error_code) {});
      return;
    }
    if (j.value("type", "") == "hello") {
      room_ = j.value("room", std::uint16_t{0});
      auto* r = rooms_.find(room_);
      if (!r || !r->open) {
        ws_.async_close(static_cast<std::uint16_t>(http::status::service_unavailable), // expect: errorshield-ws-close-code
                        [self = shared_from_this()](beast::error_code) {});
        return;
      }
    }
    do_read();
  }

  void write_next() {
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->write_next();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  room_directory& rooms_;
  net::steady_timer idle_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  std::uint16_t room_ = 0;
};

// Control desk: one per game master, routes hints to the right tablet.
class control_desk {
 public:
  explicit control_desk(room_directory& rooms) : rooms_(rooms) {}

  void attach(std::uint16_t room, std::shared_ptr<tablet_session> t) {
    auto& slot = tablets_[room];
    if (slot) slot->replaced();
    slot = std::move(t);
  }

  void hint(std::uint16_t room, const std::string& text, bool final_hint) {
    if (auto it = tablets_.find(room); it != tablets_.end()) it->second->push_hint(text, final_hint);
  }

  void finish(std::uint16_t room, bool reset) {
    auto it = tablets_.find(room);
    if (it == tablets_.end()) return;
    if (reset)
      it->second->reset_room();
    else
      it->second->end_game();
    tablets_.erase(it);
  }

  void nightly_update() {
    for (auto& [room, t] : tablets_) t->firmware_window();
    tablets_.clear();
  }

  std::size_t live() const { return tablets_.size(); }

 private:
  room_directory& rooms_;
  std::map<std::uint16_t, std::shared_ptr<tablet_session>> tablets_;
};

// Lobby display connections beyond capacity are turned away politely.
inline void turn_away(websocket::stream<beast::tcp_stream>& ws) {
  ws.async_close({websocket::close_code::try_again_later, "lobby display full"}, [](beast::error_code) {});
}

// Command-line helper used by staff to push a one-off announcement to a room.
inline void announce(const std::string& host, const std::string& port, std::uint16_t room, const std::string& text) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  websocket::stream<tcp::socket> ws(ioc);
  auto results = resolver.resolve(host, port);
  net::connect(ws.next_layer(), results.begin(), results.end());
  ws.handshake(host, "/desk");
  ws.text(true);
  ws.write(net::buffer(json{{"type", "announce"}, {"room", room}, {"text", text}}.dump()));
  ws.close(websocket::close_code::no_status); // expect: errorshield-ws-close-code
}

// Staff tool: ask the server which rooms are live, then hang up normally.
inline json live_rooms(const std::string& host, const std::string& port) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  websocket::stream<tcp::socket> ws(ioc);
  auto results = resolver.resolve(host, port);
  net::connect(ws.next_layer(), results.begin(), results.end());
  ws.handshake(host, "/desk");
  ws.read_message_max(64 * 1024);
  ws.text(true);
  ws.write(net::buffer(std::string(R"({"type":"live"})")));
  beast::flat_buffer buf;
  ws.read(buf);
  ws.close(websocket::close_reason(websocket::close_code::normal, "done"));
  return json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
}

class listener : public std::enable_shared_from_this<listener> {
 public:
  listener(net::io_context& ioc, tcp::endpoint ep) : ioc_(ioc), acceptor_(ioc, ep), desk_(rooms_) {}

  void run() { do_accept(); }

 private:
  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<tablet_session>(std::move(s), self->rooms_)->run();
      self->do_accept();
    });
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  room_directory rooms_;
  control_desk desk_;
};

}  // namespace hints
