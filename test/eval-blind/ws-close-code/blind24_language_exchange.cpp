// checks: errorshield-ws-close-code
// Chat rooms for a language exchange site: learners are paired by native /
// target language and talk in small rooms. Moderators can kick people, rooms
// expire after the session slot, and the server sheds load at peak hours.
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

enum class LeaveReason { slot_over, kicked, banned_word, idle, server_full };

struct CloseStats {
  std::mutex mu;
  std::map<std::uint16_t, int> by_code;
  void count(std::uint16_t code) {
    std::lock_guard lk(mu);
    ++by_code[code];
  }
};

class Member : public std::enable_shared_from_this<Member> {
public:
  using Ws = websocket::stream<beast::tcp_stream>;

  Member(Ws ws, std::string native, std::string target, CloseStats &stats)
      : ws_(std::move(ws)), native_(std::move(native)),
        target_(std::move(target)), stats_(stats) {}

  Ws &ws() { return ws_; }
  const std::string &native() const { return native_; }

  void send(std::string text) {
    asio::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
      self->queue_.push_back(std::move(text));
      if (self->queue_.size() == 1)
        self->flush();
    });
  }

  void leave(LeaveReason why) {
    asio::post(ws_.get_executor(), [self = shared_from_this(), why] {
      switch (why) {
      case LeaveReason::slot_over:
        self->ws_.async_close(websocket::close_code::normal, [self](beast::error_code) {});
        break;
      case LeaveReason::kicked:
        self->ws_.async_close(websocket::close_reason(kicked_code, "removed by moderator"), [self](beast::error_code) {}); // expect: errorshield-ws-close-code
        break;
      case LeaveReason::banned_word:
        self->ws_.async_close({websocket::close_code::policy_error, "language policy"}, [self](beast::error_code) {});
        break;
      case LeaveReason::idle:
        self->ws_.async_close(self->typed_once_ ? websocket::close_code::going_away : websocket::close_code::reserved3, [self](beast::error_code) {}); // expect: errorshield-ws-close-code
        break;
      case LeaveReason::server_full:
        self->ws_.async_close(websocket::close_code::try_again_later, [self](beast::error_code) {});
        break;
      }
    });
  }

  void mark_typed() { typed_once_ = true; }

  void record_close() {
    stats_.count(ws_.reason().code);
    if (ws_.reason().code == websocket::close_code::abnormal)
      std::clog << "[room] " << native_ << " learner dropped without closing\n";
  }

private:
  static constexpr websocket::close_code kicked_code = websocket::close_code::no_status;

  void flush() {
    ws_.text(true);
    ws_.async_write(asio::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->queue_.erase(self->queue_.begin());
      if (!self->queue_.empty())
        self->flush();
    });
  }

  Ws ws_;
  std::string native_, target_;
  std::vector<std::string> queue_;
  bool typed_once_ = false;
  CloseStats &stats_;
};

class Room {
public:
  explicit Room(std::string name) : name_(std::move(name)) {}

  void join(const std::shared_ptr<Member> &m) {
    std::lock_guard lk(mu_);
    members_.insert(m);
  }

  void broadcast(const std::string &from, const std::string &text) {
    json msg{{"room", name_}, {"from", from}, {"text", text}};
    std::lock_guard lk(mu_);
    for (auto &m : members_)
      m->send(msg.dump());
  }

  void expire() {
    std::lock_guard lk(mu_);
    for (auto &m : members_)
      m->leave(LeaveReason::slot_over);
    members_.clear();
  }

private:
  std::string name_;
  std::mutex mu_;
  std::set<std::shared_ptr<Member>> members_;
};

// Learner connection, coroutine style. First message must be the language
// pair, e.g. {"native":"pt","target":"de"}.
asio::awaitable<void> learner(tcp::socket sock, Room &room, CloseStats &stats) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, asio::use_awaitable);
  auto hello = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  if (!hello.is_object() || !hello.contains("native") || !hello.contains("target")) {
    co_await ws.async_close(websocket::close_reason(static_cast<std::uint16_t>(999)), asio::use_awaitable); // expect: errorshield-ws-close-code
    co_return;
  }
  if (hello["native"] == hello["target"]) {
    co_await ws.async_close({static_cast<websocket::close_code>(4100), "native and target must differ"},
                            asio::use_awaitable);
    co_return;
  }
  if (!hello.contains("token")) {
    co_await ws.async_close(websocket::close_reason(static_cast<websocket::close_code>(3000), "login required"),
                            asio::use_awaitable);
    co_return;
  }
  auto m = std::make_shared<Member>(std::move(ws), hello["native"].get<std::string>(),
                                    hello["target"].get<std::string>(), stats);
  room.join(m);
  room.broadcast("system", m->native() + " speaker joined");
}

// Peak-hour shedding, run on the admin thread with blocking calls.
void shed_newest(std::vector<std::unique_ptr<websocket::stream<tcp::socket>>> &overflow) {
  for (auto &ws : overflow) {
    beast::error_code ec;
    ws->close(1006, ec); // expect: errorshield-ws-close-code
  }
  overflow.clear();
}

// Same as above for the mobile gateway, which reconnects on 1013.
template <class Stream>
void shed_mobile(std::vector<std::unique_ptr<websocket::stream<Stream>>> &overflow) {
  for (auto &ws : overflow) {
    beast::error_code ec;
    ws->close(websocket::close_code::try_again_later, ec);
  }
  overflow.clear();
}

// Goodbye on server shutdown, from the signal handler's completion.
template <class Stream>
void farewell(websocket::stream<Stream> &ws, bool crashing) {
  beast::error_code ec;
  if (crashing)
    ws.close(websocket::close_reason(websocket::close_code::abnormal, "server crash"), ec); // expect: errorshield-ws-close-code
  else
    ws.close("see you next session", ec);
}

int main() {
  asio::io_context ioc;
  CloseStats stats;
  Room room("pt-de evening");
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    tcp::acceptor acc(ioc, {tcp::v4(), 8700});
    for (;;)
      asio::co_spawn(ioc, learner(co_await acc.async_accept(asio::use_awaitable), room, stats), asio::detached);
  }, asio::detached);

  asio::steady_timer slot(ioc, std::chrono::minutes(45));
  slot.async_wait([&](beast::error_code ec) {
    if (!ec)
      room.expire();
  });
  ioc.run();
}
