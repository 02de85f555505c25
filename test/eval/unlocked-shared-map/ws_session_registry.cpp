// checks: errorshield-unlocked-shared-map
// WebSocket chat gateway on Boost.Beast. Sessions register themselves in a
// process-wide registry that is touched from every io_context thread.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

class ChatSession;

class SessionRegistry {
 public:
  explicit SessionRegistry(asio::io_context& ioc) : ioc_(ioc) {
    rooms_.reserve(64);  // fine: constructor, object not shared yet
  }

  ~SessionRegistry() {
    sessions_.clear();  // fine: destructor
  }

  void add(const std::string& id, std::shared_ptr<ChatSession> s) {
    std::lock_guard<std::mutex> guard(mu_);
    sessions_[id] = std::move(s);  // fine: lock_guard held
    recent_joins_.push_back(id);   // fine: vector, not an associative container
  }

  void remove(const std::string& id) {
    // Forgot the lock: called from on_close on whichever thread ran the read.
    sessions_.erase(id);  // expect: errorshield-unlocked-shared-map
    std::lock_guard<std::mutex> guard(mu_);
    removeFromRoomsLocked(id);  // fine: helper's name says the caller locks
  }

  std::size_t online() const {
    return sessions_.size();  // expect: errorshield-unlocked-shared-map
  }

  std::size_t online_checked() const {
    std::lock_guard<std::mutex> guard(mu_);
    return sessions_.size();  // fine: lock_guard held
  }

  void join_room(const std::string& room, const std::string& id) {
    {
      std::lock_guard<std::mutex> guard(mu_);
      rooms_[room].insert(id);  // fine: inside the locked block
    }
    // The guard above already went out of scope here.
    if (rooms_.count(room) == 1)  // expect: errorshield-unlocked-shared-map
      notify_room_created(room);
  }

  std::vector<std::shared_ptr<ChatSession>> members(const std::string& room) {
    std::vector<std::shared_ptr<ChatSession>> out;
    std::unique_lock<std::mutex> lk(mu_);
    auto r = rooms_.find(room);  // fine: unique_lock held
    if (r == rooms_.end()) return out;  // fine: unique_lock held
    for (const auto& id : r->second) {
      auto it = sessions_.find(id);  // fine: still under the unique_lock
      if (it != sessions_.end()) out.push_back(it->second);  // fine: unique_lock held
    }
    return out;
  }

  void kick_later(std::string id) {
    // The posted handler takes the lock itself before touching the map.
    asio::post(ioc_, [this, id = std::move(id)] {
      std::lock_guard<std::mutex> guard(mu_);
      sessions_.erase(id);  // fine: lock_guard declared in the lambda body
    });
  }

  void expire_later(std::string id) {
    asio::post(ioc_, [this, id = std::move(id)] {
      sessions_.erase(id);  // expect: errorshield-unlocked-shared-map
    });
  }

  json presence() {
    json j = json::object();
    for (const auto& [room, ids] : rooms_)  // expect: errorshield-unlocked-shared-map
      j[room] = ids.size();
    return j;
  }

 private:
  void removeFromRoomsLocked(const std::string& id) {
    for (auto& [room, ids] : rooms_) ids.erase(id);  // fine: *Locked helper
  }

  void notify_room_created(const std::string& room) { (void)room; }

  asio::io_context& ioc_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<ChatSession>> sessions_;
  std::unordered_map<std::string, std::set<std::string>> rooms_;
  std::vector<std::string> recent_joins_;
};

class ChatSession : public std::enable_shared_from_this<ChatSession> {
 public:
  ChatSession(tcp::socket socket, SessionRegistry& reg, std::string id)
      : ws_(std::move(socket)), reg_(reg), id_(std::move(id)) {}

  void start() {
    ws_.async_accept(beast::bind_front_handler(&ChatSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    reg_.add(id_, shared_from_this());
    read();
  }

  void read() {
    ws_.async_read(buf_, beast::bind_front_handler(&ChatSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) {
      reg_.remove(id_);
      return;
    }
    auto msg = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (msg.is_object() && msg.contains("join"))
      reg_.join_room(msg["join"].get<std::string>(), id_);
    // Per-message scratch state lives on the stack.
    std::unordered_map<std::string, int> seen;
    seen[id_]++;  // fine: local variable
    read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  SessionRegistry& reg_;
  std::string id_;
};
