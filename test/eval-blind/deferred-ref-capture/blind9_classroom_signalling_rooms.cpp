// checks: errorshield-deferred-ref-capture
// Online-classroom signalling relay: teachers and students exchange SDP offers,
// answers and ICE candidates through this server before the media goes P2P.
// State lives in a hub that owns one conn_state per participant; most handlers
// are free functions taking the hub by reference.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

using ws_ptr = std::shared_ptr<websocket::stream<beast::tcp_stream>>;

struct conn_state {
  std::uint64_t id = 0;
  std::string display_name;
  std::string room;
  bool presenter = false;
  ws_ptr ws;
  std::deque<std::string> outbox;
  bool writing = false;
  std::vector<json> pending_ice;
  std::unique_ptr<asio::steady_timer> ice_timer;
};

struct signalling_hub {
  asio::io_context& ioc;
  std::map<std::uint64_t, conn_state> conns;
  std::map<std::string, std::vector<std::uint64_t>> rooms;
  std::vector<std::function<void()>> on_shutdown;
};

template <class F>
class scope_exit {
public:
  explicit scope_exit(F f) : f_(std::move(f)) {}
  scope_exit(const scope_exit&) = delete;
  scope_exit& operator=(const scope_exit&) = delete;
  ~scope_exit() {
    if (armed_) f_();
  }
  void release() { armed_ = false; }

private:
  F f_;
  bool armed_ = true;
};

void finalize_recording(const std::string& path);
void write_attendance_csv(const std::vector<std::uint64_t>& ids);
void flush_outbox(signalling_hub& hub, std::uint64_t id);

void enqueue(signalling_hub& hub, std::uint64_t id, std::string msg) {
  auto it = hub.conns.find(id);
  if (it == hub.conns.end()) return;
  it->second.outbox.push_back(std::move(msg));
  if (!it->second.writing) flush_outbox(hub, id);
}

void flush_outbox(signalling_hub& hub, std::uint64_t id) {
  auto it = hub.conns.find(id);
  if (it == hub.conns.end()) return;
  conn_state& c = it->second;
  if (c.outbox.empty()) {
    c.writing = false;
    return;
  }
  c.writing = true;
  auto ws = c.ws;
  // hub is a reference parameter to the process-wide hub; capturing it by
  // reference binds to that long-lived object, not to a stack slot.
  ws->async_write(asio::buffer(c.outbox.front()),
                  [&hub, id, ws](beast::error_code ec, std::size_t) {
                    auto it2 = hub.conns.find(id);
                    if (it2 == hub.conns.end()) return;
                    it2->second.outbox.pop_front();
                    if (ec) {
                      it2->second.writing = false;
                      return;
                    }
                    flush_outbox(hub, id);
                  });
}

void broadcast_to_room(signalling_hub& hub, const std::string& room,
                       const std::string& payload, std::uint64_t except = 0) {
  auto r = hub.rooms.find(room);
  if (r == hub.rooms.end()) return;
  // Runs synchronously inside for_each; the reference capture never escapes.
  std::for_each(r->second.begin(), r->second.end(), [&](std::uint64_t member) {
    if (member != except) enqueue(hub, member, payload);
  });
}

// ICE candidates trickle in quickly; batch them for 40ms before relaying.
void schedule_ice_flush(signalling_hub& hub, conn_state& c) {
  const std::string room = c.room;  // copy: c.room is cleared when the user leaves
  const std::uint64_t sender = c.id;
  c.ice_timer->expires_after(40ms);
  c.ice_timer->async_wait([&](beast::error_code ec) {  // expect: errorshield-deferred-ref-capture
    if (ec) return;
    auto it = hub.conns.find(sender);
    if (it == hub.conns.end()) return;
    json batch = {{"type", "ice-batch"}, {"from", sender},
                  {"candidates", std::move(it->second.pending_ice)}};
    it->second.pending_ice.clear();
    broadcast_to_room(hub, room, batch.dump(), sender);
  });
}

void on_ice_candidate(signalling_hub& hub, conn_state& c, json cand) {
  const bool first = c.pending_ice.empty();
  c.pending_ice.push_back(std::move(cand));
  if (first) schedule_ice_flush(hub, c);
}

// A participant leaves. If the presenter leaves, the next participant in the
// room is promoted so the lesson can continue.
void handle_leave(signalling_hub& hub, std::uint64_t leaving) {
  std::uint64_t peer = leaving;
  scope_exit drop([&] { hub.conns.erase(peer); });  // expect: errorshield-deferred-ref-capture
  auto it = hub.conns.find(peer);
  if (it == hub.conns.end()) return;
  const std::string room = it->second.room;
  const bool was_presenter = it->second.presenter;
  auto& members = hub.rooms[room];
  members.erase(std::remove(members.begin(), members.end(), peer), members.end());
  broadcast_to_room(hub, room, json{{"type", "peer-left"}, {"id", peer}}.dump());
  if (was_presenter && !members.empty()) {
    peer = members.front();
    hub.conns[peer].presenter = true;
    enqueue(hub, peer, json{{"type", "promoted"}, {"role", "presenter"}}.dump());
  }
}

// Teacher removes a student. The guard captures by reference, but `victim`
// is const and never written after the guard is armed.
void handle_kick(signalling_hub& hub, std::uint64_t teacher, std::uint64_t target) {
  const std::uint64_t victim = target;
  scope_exit drop([&] { hub.conns.erase(victim); });
  auto t = hub.conns.find(teacher);
  if (t == hub.conns.end() || !t->second.presenter) {
    drop.release();
    return;
  }
  enqueue(hub, victim, json{{"type", "kicked"}, {"by", teacher}}.dump());
  auto& members = hub.rooms[t->second.room];
  members.erase(std::remove(members.begin(), members.end(), victim), members.end());
}

void announce_join(signalling_hub& hub, const conn_state& c) {
  json note = {{"type", "peer-joined"}, {"id", c.id}, {"name", c.display_name}};
  asio::post(hub.ioc, [&hub, &note, room = c.room, id = c.id] {  // expect: errorshield-deferred-ref-capture
    broadcast_to_room(hub, room, note.dump(), id);
  });
}

void announce_role_change(signalling_hub& hub, const conn_state& c) {
  std::string payload = json{{"type", "role"}, {"id", c.id}, {"presenter", c.presenter}}.dump();
  asio::post(hub.ioc, [&hub, payload = std::move(payload), room = c.room] {
    broadcast_to_room(hub, room, payload);
  });
}

void start_recording(signalling_hub& hub, const std::string& room_id) {
  std::string recording_path = "/var/lib/classroom/rec/" + room_id + ".webm";
  // ... ask the SFU to start writing recording_path ...
  hub.on_shutdown.push_back([&recording_path] { finalize_recording(recording_path); });  // expect: errorshield-deferred-ref-capture
}

void start_attendance_log(signalling_hub& hub, const std::string& room_id) {
  hub.on_shutdown.push_back([&hub, room_id] {
    auto it = hub.rooms.find(room_id);
    if (it != hub.rooms.end()) write_attendance_csv(it->second);
  });
}

// End-of-lesson export: the worker is joined before `roster` is destroyed.
void export_roster_now(signalling_hub& hub, const std::string& room_id) {
  std::vector<std::uint64_t> roster = hub.rooms[room_id];
  std::thread writer([&roster] { write_attendance_csv(roster); });
  writer.join();
}

class participant_session : public std::enable_shared_from_this<participant_session> {
public:
  participant_session(signalling_hub& hub, std::uint64_t id, ws_ptr ws)
      : hub_(hub), id_(id), ws_(std::move(ws)), offer_timer_(ws_->get_executor()) {}

  void start() { do_read(); }

private:
  void do_read() {
    ws_->async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return handle_leave(self->hub_, self->id_);
      self->on_message();
    });
  }

  void on_message() {
    json msg = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (msg.is_discarded()) return do_read();
    const std::string type = msg.value("type", "");
    if (type == "offer") on_offer(msg);
    else if (type == "answer") on_answer(msg);
    do_read();
  }

  void on_offer(const json& msg) {
    auto offer_id = msg.at("offer_id").get<std::string>();
    const auto to = msg.at("to").get<std::uint64_t>();
    pending_offer_ = offer_id;
    enqueue(hub_, to, msg.dump());
    offer_timer_.expires_after(15s);
    offer_timer_.async_wait([self = shared_from_this(), &offer_id](beast::error_code ec) {  // expect: errorshield-deferred-ref-capture
      if (!ec) self->expire_offer(offer_id);
    });
  }

  void on_answer(const json& msg) {
    auto offer_id = msg.at("offer_id").get<std::string>();
    if (offer_id != pending_offer_) return;
    offer_timer_.cancel();
    // Reference init-capture of a member; `self` keeps the object (and the
    // member) alive until the posted task has run.
    asio::post(ws_->get_executor(),
               [self = shared_from_this(), &pending = pending_offer_] { pending.clear(); });
    enqueue(hub_, msg.at("to").get<std::uint64_t>(), msg.dump());
  }

  void expire_offer(const std::string& offer_id) {
    if (offer_id != pending_offer_) return;
    pending_offer_.clear();
    enqueue(hub_, id_, json{{"type", "offer-timeout"}, {"offer_id", offer_id}}.dump());
  }

  signalling_hub& hub_;
  std::uint64_t id_;
  ws_ptr ws_;
  beast::flat_buffer buf_;
  asio::steady_timer offer_timer_;
  std::string pending_offer_;
};
