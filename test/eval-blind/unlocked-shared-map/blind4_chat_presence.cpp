// checks: errorshield-unlocked-shared-map
// Chat server: presence + room membership, io_context run on a thread pool.
#include <boost/asio.hpp>
#include <nlohmann/json.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace chat {

struct Session {
  std::string user;
  tcp::socket sock;
  explicit Session(tcp::socket s) : sock(std::move(s)) {}
};
using SessionPtr = std::shared_ptr<Session>;

void log_line(const std::string &s);

class PresenceServer {
public:
  PresenceServer(asio::io_context &ioc, unsigned short port)
      : ioc_(ioc), acceptor_(ioc, tcp::endpoint(tcp::v4(), port)) {}

  void run(unsigned n_threads) {
    // static config loaded before any thread exists
    room_limits_["lobby"] = 500;
    room_limits_["vip"] = 50;
    do_accept();
    std::vector<std::thread> pool;
    for (unsigned i = 0; i < n_threads; ++i) pool.emplace_back([this] { ioc_.run(); });
    for (auto &t : pool) t.join();
  }

private:
  void do_accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
      if (!ec) {
        auto sess = std::make_shared<Session>(std::move(s));
        sess->user = "anon-" + std::to_string(next_anon_++);
        by_user_.emplace(sess->user, sess); // expect: errorshield-unlocked-shared-map
        read_hello(sess);
      }
      do_accept();
    });
  }

  void read_hello(SessionPtr sess) {
    auto buf = std::make_shared<std::string>();
    asio::async_read_until(sess->sock, asio::dynamic_buffer(*buf), '\n',
                           [this, sess, buf](boost::system::error_code ec, std::size_t) {
                             if (ec) {
                               drop(sess);
                               return;
                             }
                             auto hello = json::parse(*buf, nullptr, false);
                             if (hello.is_discarded()) {
                               drop(sess);
                               return;
                             }
                             rename(sess, hello.value("user", sess->user));
                             join_room(sess, hello.value("room", "lobby"));
                           });
  }

  // BUG: handlers run on any pool thread.
  void rename(const SessionPtr &sess, const std::string &new_name) {
    by_user_.erase(sess->user); // expect: errorshield-unlocked-shared-map
    sess->user = new_name;
    by_user_[new_name] = sess; // expect: errorshield-unlocked-shared-map
  }

  // OK: guarded.
  void join_room(const SessionPtr &sess, const std::string &room) {
    std::unique_lock<std::mutex> lk(rooms_mu_);
    auto &members = rooms_[room];
    if (members.size() >= limit_for(room)) {
      lk.unlock();
      log_line("room full: " + room);
      return;
    }
    members.insert(sess->user);
  }

  // OK: reads only (limits are never written after run() starts threads).
  std::size_t limit_for(const std::string &room) const {
    auto it = room_limits_.find(room);
    return it == room_limits_.end() ? 100 : it->second;
  }

  void drop(const SessionPtr &sess) {
    std::lock_guard<std::mutex> lk(rooms_mu_);
    erase_from_rooms_locked(sess->user);
  }

  // OK: caller holds rooms_mu_.
  void erase_from_rooms_locked(const std::string &user) {
    for (auto it = rooms_.begin(); it != rooms_.end();) {
      it->second.erase(user);
      if (it->second.empty())
        it = rooms_.erase(it);
      else
        ++it;
    }
  }

  asio::io_context &ioc_;
  tcp::acceptor acceptor_;
  std::uint64_t next_anon_ = 0;
  std::unordered_map<std::string, SessionPtr> by_user_;
  std::mutex rooms_mu_;
  std::map<std::string, std::set<std::string>> rooms_;
  std::map<std::string, std::size_t> room_limits_;
};

// Single-threaded admin console server: one io_context, run() from main only.
// Everything is serialized, so no locks needed.
class AdminConsole {
public:
  explicit AdminConsole(asio::io_context &ioc) : acceptor_(ioc, tcp::endpoint(tcp::v4(), 9900)) {}

  void start() { do_accept(); }

private:
  void do_accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
      if (!ec) {
        auto id = next_id_++;
        conns_.emplace(id, std::make_shared<tcp::socket>(std::move(s)));
      }
      do_accept();
    });
  }

  tcp::acceptor acceptor_;
  int next_id_ = 0;
  std::unordered_map<int, std::shared_ptr<tcp::socket>> conns_;
};

int admin_main() {
  asio::io_context ioc;
  AdminConsole c(ioc);
  c.start();
  ioc.run();
  return 0;
}

// Typing-indicator tracker, updated by a detached janitor thread and by
// the request handlers. No lock.
class TypingTracker {
public:
  void start_janitor() {
    std::thread([this] {
      for (;;) {
        std::this_thread::sleep_for(std::chrono::seconds(5));
        typing_.clear(); // expect: errorshield-unlocked-shared-map
      }
    }).detach();
  }

  void on_typing(const std::string &room, const std::string &user) {
    typing_[room] = user; // expect: errorshield-unlocked-shared-map
  }

private:
  std::unordered_map<std::string, std::string> typing_;
};

} // namespace chat
