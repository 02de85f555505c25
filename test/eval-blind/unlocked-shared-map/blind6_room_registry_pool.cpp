// checks: errorshield-unlocked-shared-map
// Chat room registry shared by every session; io_context is run on a thread pool.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

class member {
public:
  virtual ~member() = default;
  virtual void send(std::shared_ptr<const std::string> msg) = 0;
  virtual std::string const &nick() const = 0;
};

class room_registry {
public:
  room_registry() {
    // Constructed before any io thread starts.
    rooms_["lobby"];
    rooms_["announcements"];
  }

  void join(std::string const &room, std::shared_ptr<member> m) {
    std::lock_guard lk(mu_);
    rooms_[room].push_back(m);
  }

  void leave(std::string const &room, member const *m) {
    auto &v = rooms_[room]; // expect: errorshield-unlocked-shared-map
    std::lock_guard lk(mu_);
    std::erase_if(v, [m](std::weak_ptr<member> const &w) {
      auto sp = w.lock();
      return !sp || sp.get() == m;
    });
  }

  void broadcast(std::string const &room, std::string const &text) {
    auto msg = std::make_shared<const std::string>(text);
    std::vector<std::shared_ptr<member>> targets;
    {
      std::lock_guard lk(mu_);
      auto it = rooms_.find(room);
      if (it == rooms_.end())
        return;
      for (auto const &w : it->second)
        if (auto sp = w.lock())
          targets.push_back(std::move(sp));
    }
    for (auto &t : targets)
      t->send(msg);
  }

  void broadcast_all(std::string const &text) {
    auto msg = std::make_shared<const std::string>(text);
    for (auto &[name, members] : rooms_) { // expect: errorshield-unlocked-shared-map
      for (auto const &w : members)
        if (auto sp = w.lock())
          sp->send(msg);
    }
  }

  std::size_t room_count() const {
    std::unique_lock lk(mu_);
    return rooms_.size();
  }

  bool has_room(std::string const &room) const {
    return rooms_.count(room) != 0; // expect: errorshield-unlocked-shared-map
  }

  std::vector<std::string> nicks(std::string const &room) const {
    std::vector<std::string> out;
    std::unique_lock lk(mu_);
    auto it = rooms_.find(room);
    if (it == rooms_.end())
      return out;
    auto snapshot = it->second;
    lk.unlock();
    for (auto const &w : snapshot)
      if (auto sp = w.lock())
        out.push_back(sp->nick());
    return out;
  }

  void rename_room(std::string const &from, std::string const &to) {
    std::unique_lock lk(mu_);
    auto node = rooms_.extract(from);
    lk.unlock();
    if (node.empty())
      return;
    node.key() = to;
    rooms_.insert(std::move(node)); // expect: errorshield-unlocked-shared-map
  }

  void drop_empty_rooms() {
    std::unique_lock lk(mu_);
    std::erase_if(rooms_, [](auto const &kv) { return kv.second.empty(); });
    lk.unlock();
    // ... metrics, logging ...
    lk.lock();
    rooms_.try_emplace("lobby");
  }

private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::vector<std::weak_ptr<member>>> rooms_;
};

// Per-connection state, touched only from the session's own strand.
class chat_session : public member, public std::enable_shared_from_this<chat_session> {
public:
  chat_session(tcp::socket s, room_registry &reg) : ws_(std::move(s)), reg_(reg) {}

  void start() {
    ws_.async_accept(beast::bind_front_handler(&chat_session::on_accept, shared_from_this()));
  }

  void send(std::shared_ptr<const std::string> msg) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), msg] {
      self->queue_.push_back(msg);
      if (self->queue_.size() == 1)
        self->write_next();
    });
  }

  std::string const &nick() const override { return nick_; }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    read_next();
  }

  void read_next() { ws_.async_read(buf_, beast::bind_front_handler(&chat_session::on_read, shared_from_this())); }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) {
      for (auto const &[room, since] : joined_)
        reg_.leave(room, this);
      reg_.drop_empty_rooms();
      return;
    }
    auto j = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (!j.is_discarded() && j.contains("op") && j.contains("room")) {
      auto room = j["room"].get<std::string>();
      if (j["op"] == "join") {
        joined_[room] = ++seq_;
        reg_.join(room, shared_from_this());
      } else if (j["op"] == "say" && joined_.count(room)) {
        reg_.broadcast(room, j.value("text", ""));
      } else if (j["op"] == "shout" && room == "announcements") {
        reg_.broadcast_all(j.value("text", ""));
      } else if (j["op"] == "rename" && reg_.has_room(room)) {
        reg_.rename_room(room, j.value("to", room));
      }
    }
    read_next();
  }

  void write_next() {
    ws_.async_write(asio::buffer(*queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->queue_.erase(self->queue_.begin());
      if (!self->queue_.empty())
        self->write_next();
    });
  }

  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buf_;
  room_registry &reg_;
  std::string nick_ = "anon";
  std::unordered_map<std::string, std::uint64_t> joined_;
  std::uint64_t seq_ = 0;
  std::vector<std::shared_ptr<const std::string>> queue_;
};

void accept_loop(tcp::acceptor &acc, room_registry &reg) {
  acc.async_accept(asio::make_strand(acc.get_executor()), [&acc, &reg](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<chat_session>(std::move(s), reg)->start();
    accept_loop(acc, reg);
  });
}

int main() {
  asio::io_context ioc;
  room_registry reg;
  tcp::acceptor acc(ioc, {tcp::v4(), 9100});
  accept_loop(acc, reg);

  // Local to main, filled before the pool starts and never shared.
  std::unordered_map<std::string, int> limits;
  limits["lobby"] = 500;
  limits["announcements"] = 50000;

  std::vector<std::thread> pool;
  for (unsigned i = 0; i < std::max(2u, std::thread::hardware_concurrency()); ++i)
    pool.emplace_back([&ioc] { ioc.run(); });
  for (auto &t : pool)
    t.join();
  return limits.at("lobby") > 0 ? 0 : 1;
}
