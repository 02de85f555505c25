// checks: errorshield-deferred-ref-capture
// Chat gateway: session registry, reconnect hand-off and deferred cleanup paths.
#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <cstdint>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

template <class Fn>
class scope_exit {
public:
  explicit scope_exit(Fn fn) : fn_(std::move(fn)) {}
  scope_exit(const scope_exit &) = delete;
  scope_exit &operator=(const scope_exit &) = delete;
  ~scope_exit() {
    if (armed_)
      fn_();
  }
  void release() { armed_ = false; }

private:
  Fn fn_;
  bool armed_ = true;
};

class chat_session;

class connection_table {
public:
  void add(std::uint64_t id, std::shared_ptr<chat_session> s) {
    std::lock_guard lk(mu_);
    conns_[id] = std::move(s);
  }
  void remove(std::uint64_t id) {
    std::lock_guard lk(mu_);
    conns_.erase(id);
  }
  std::shared_ptr<chat_session> find(std::uint64_t id) const {
    std::lock_guard lk(mu_);
    auto it = conns_.find(id);
    return it == conns_.end() ? nullptr : it->second;
  }
  std::vector<std::uint64_t> ids() const {
    std::lock_guard lk(mu_);
    std::vector<std::uint64_t> out;
    out.reserve(conns_.size());
    for (auto const &kv : conns_)
      out.push_back(kv.first);
    return out;
  }

private:
  mutable std::mutex mu_;
  std::unordered_map<std::uint64_t, std::shared_ptr<chat_session>> conns_;
};

class chat_session : public std::enable_shared_from_this<chat_session> {
public:
  chat_session(tcp::socket s, connection_table &table, std::uint64_t id)
      : ws_(std::move(s)), table_(table), id_(id) {}

  void start() {
    auto self = shared_from_this();
    ws_.async_accept([this, self](beast::error_code ec) {
      if (!ec)
        do_read();
    });
  }

  // Called from other sessions' threads to fan a message out.
  void deliver(std::string text) {
    asio::post(ws_.get_executor(), [this, &text] { enqueue(text); }); // expect: errorshield-deferred-ref-capture
  }

  void deliver_copy(std::string text) {
    asio::post(ws_.get_executor(),
               [self = shared_from_this(), text = std::move(text)]() mutable { self->enqueue(std::move(text)); });
  }

  void close() {
    auto self = shared_from_this();
    ws_.async_close(websocket::close_code::going_away, [self](beast::error_code) {});
  }

  std::uint64_t id() const { return id_; }

private:
  void enqueue(std::string text) {
    outbox_.push_back(std::move(text));
    if (outbox_.size() == 1)
      do_write();
  }

  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      table_.remove(id_);
      return;
    }
    auto msg = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (msg.is_discarded() || !msg.contains("type")) {
      do_read();
      return;
    }
    if (msg["type"] == "kick" && msg.contains("target")) {
      std::uint64_t target = msg["target"].get<std::uint64_t>();
      auto grace = std::make_shared<asio::steady_timer>(ws_.get_executor(), std::chrono::seconds(2));
      grace->async_wait([this, grace, &target](beast::error_code) { table_.remove(target); }); // expect: errorshield-deferred-ref-capture
    } else if (msg["type"] == "mute" && msg.contains("target")) {
      std::uint64_t target = msg["target"].get<std::uint64_t>();
      auto grace = std::make_shared<asio::steady_timer>(ws_.get_executor(), std::chrono::seconds(2));
      grace->async_wait([self = shared_from_this(), grace, target](beast::error_code ec) {
        if (!ec)
          self->table_.remove(target);
      });
    }
    do_read();
  }

  void do_write() {
    ws_.async_write(asio::buffer(outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->outbox_.erase(self->outbox_.begin());
      if (!self->outbox_.empty())
        self->do_write();
    });
  }

  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  std::vector<std::string> outbox_;
  connection_table &table_;
  std::uint64_t id_;
};

// A user reconnected on new_id: the stale connection must go away when we leave.
void handoff(connection_table &table, std::uint64_t old_id, std::uint64_t new_id) {
  std::uint64_t victim = old_id;
  scope_exit drop([&] { table.remove(victim); }); // expect: errorshield-deferred-ref-capture
  if (auto stale = table.find(victim))
    stale->close();
  victim = new_id;
  if (auto fresh = table.find(victim))
    fresh->deliver_copy(R"({"type":"resumed"})");
}

// Same shape, but the captured id is never written after the guard is armed.
void drop_on_failed_login(connection_table &table, std::uint64_t conn_id, json const &login) {
  const std::uint64_t id = conn_id;
  scope_exit drop([&] { table.remove(id); });
  if (!login.contains("token") || !login["token"].is_string())
    return;
  if (login["token"].get<std::string>().size() < 16)
    return;
  drop.release();
}

class chat_server {
public:
  chat_server(asio::io_context &ioc, tcp::endpoint ep) : ioc_(ioc), acceptor_(ioc, ep), strand_(asio::make_strand(ioc)) {}

  void run() { do_accept(); }

  void disconnect_all(std::vector<std::uint64_t> ids) {
    for (std::uint64_t id : ids) {
      asio::post(strand_, [this, &id] { table_.remove(id); }); // expect: errorshield-deferred-ref-capture
    }
  }

  void disconnect_all_safe(std::vector<std::uint64_t> ids) {
    for (std::uint64_t id : ids) {
      asio::post(strand_, [this, id] { table_.remove(id); });
    }
  }

  // Synchronous algorithms: the reference-capturing lambdas never outlive the call.
  void kick_matching(std::vector<std::uint64_t> const &banned) {
    auto live = table_.ids();
    std::sort(live.begin(), live.end(), [&](std::uint64_t a, std::uint64_t b) { return a < b; });
    std::for_each(live.begin(), live.end(), [&](std::uint64_t id) {
      if (std::find(banned.begin(), banned.end(), id) != banned.end())
        table_.remove(id);
    });
  }

  // Runs a private io_context to completion before the locals die.
  std::size_t count_online_blocking() {
    asio::io_context local;
    std::size_t n = 0;
    asio::post(local, [&] { n = table_.ids().size(); });
    local.run();
    return n;
  }

  // The future is waited on before returning, so the captured locals are alive.
  std::size_t count_online_async_wait() {
    std::size_t n = 0;
    auto fut = std::async(std::launch::async, [&] { n = table_.ids().size(); });
    fut.get();
    return n;
  }

  void broadcast_notice(std::string const &text) {
    std::string wire = json{{"type", "notice"}, {"text", text}}.dump();
    auto ids = table_.ids();
    asio::post(strand_, [this, &wire, ids] { // expect: errorshield-deferred-ref-capture
      for (auto id : ids)
        if (auto s = table_.find(id))
          s->deliver_copy(wire);
    });
  }

private:
  void do_accept() {
    acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket sock) {
      if (!ec) {
        std::uint64_t id = next_id_++;
        auto s = std::make_shared<chat_session>(std::move(sock), table_, id);
        table_.add(id, s);
        s->start();
      }
      do_accept();
    });
  }

  asio::io_context &ioc_;
  tcp::acceptor acceptor_;
  asio::strand<asio::io_context::executor_type> strand_;
  connection_table table_;
  std::uint64_t next_id_ = 1;
};

int main() {
  asio::io_context ioc;
  chat_server srv(ioc, tcp::endpoint(tcp::v4(), 9001));
  srv.run();
  ioc.run();
}
