// checks: errorshield-ws-concurrent-write
// Pinball league server: tables post ball-by-ball scores, league members
// watch live standings and get match notifications over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace league {

struct Standing {
  std::string player;
  long long score;
};

// Live standings watcher; writes are queued so only one is ever outstanding.
class Watcher : public std::enable_shared_from_this<Watcher> {
public:
  explicit Watcher(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(4 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_loop();
    });
  }

  void send(std::string msg) {
    queue_.push_back(std::move(msg));
    if (queue_.size() > 1)
      return;
    write_front();
  }

private:
  void write_front() {
    ws_.async_write(asio::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->queue_.pop_front();
      if (!self->queue_.empty())
        self->write_front();
    });
  }

  void read_loop() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->in_.consume(self->in_.size());
      self->read_loop();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::deque<std::string> queue_;
};

// Table uplink: each ball ends with a score frame and an ack back to the table.
class TableSession : public std::enable_shared_from_this<TableSession> {
public:
  TableSession(tcp::socket s, std::vector<std::shared_ptr<Watcher>> &watchers)
      : ws_(std::move(s)), watchers_(watchers) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(4 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_ball();
    });
  }

private:
  void read_ball() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      auto ball = json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false);
      self->in_.consume(self->in_.size());
      self->ack_ = json{{"ack", ball.value("ball", 0)}}.dump();
      self->ws_.async_write(asio::buffer(self->ack_), [](beast::error_code, std::size_t) {});
      if (ball.value("tilt", false)) {
        self->warn_ = R"({"warning":"tilt"})";
        self->ws_.async_write(asio::buffer(self->warn_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
      }
      for (auto &w : self->watchers_)
        w->send(ball.dump());
      self->read_ball();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::string ack_;
  std::string warn_;
  std::vector<std::shared_ptr<Watcher>> &watchers_;
};

// Match-night notifier: pushes the whole bracket to a referee tablet.
class RefereeFeed : public std::enable_shared_from_this<RefereeFeed> {
public:
  explicit RefereeFeed(tcp::socket s) : ws_(std::move(s)) {}

  void start(std::vector<std::string> bracket) {
    bracket_ = std::move(bracket);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->push_bracket();
    });
  }

private:
  void push_bracket() {
    for (const auto &match : bracket_)
      ws_.async_write(asio::buffer(match), [self = shared_from_this()](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::vector<std::string> bracket_;
};

// Member dashboard (coroutine): standings on request plus a periodic heartbeat.
asio::awaitable<void> heartbeat(websocket::stream<beast::tcp_stream> &ws) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  static const std::string ping_msg = R"({"type":"heartbeat"})";
  for (;;) {
    t.expires_after(std::chrono::seconds(15));
    co_await t.async_wait(asio::use_awaitable);
    co_await ws.async_write(asio::buffer(ping_msg), asio::use_awaitable); // expect: errorshield-ws-concurrent-write
  }
}

asio::awaitable<void> dashboard(tcp::socket s, const std::map<std::string, long long> &table) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(4 * 1024);
  co_await ws.async_accept(asio::use_awaitable);
  asio::co_spawn(co_await asio::this_coro::executor, heartbeat(ws), asio::detached);
  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, asio::use_awaitable);
    json standings = json::array();
    for (auto &[player, score] : table)
      standings.push_back({{"player", player}, {"score", score}});
    co_await ws.async_write(asio::buffer(standings.dump()), asio::use_awaitable);
  }
}

// Season archive replay (coroutine, strictly sequential).
asio::awaitable<void> archive_replay(tcp::socket s, std::vector<std::string> frames) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  ws.read_message_max(4 * 1024);
  co_await ws.async_accept(asio::use_awaitable);
  for (const auto &f : frames)
    co_await ws.async_write(asio::buffer(f), asio::use_awaitable);
  co_await ws.async_close(websocket::close_code::normal, asio::use_awaitable);
}

// Generic chained sender used by the scorekeeper and the announcer.
template <class Stream>
class ChainedSender : public std::enable_shared_from_this<ChainedSender<Stream>> {
public:
  explicit ChainedSender(websocket::stream<Stream> &ws) : ws_(ws) {}

  void send_all(std::vector<std::string> msgs) {
    msgs_ = std::move(msgs);
    next_ = 0;
    step();
  }

  // Announcer shortcut: interrupt with a high-priority message.
  void announce(const std::string &text) {
    urgent_ = text;
    ws_.async_write(asio::buffer(urgent_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

private:
  void step() {
    if (next_ >= msgs_.size())
      return;
    ws_.async_write(asio::buffer(msgs_[next_]),
                    [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec)
                        return;
                      ++self->next_;
                      self->step();
                    });
  }

  websocket::stream<Stream> &ws_;
  std::vector<std::string> msgs_;
  std::size_t next_ = 0;
  std::string urgent_;
};

asio::awaitable<void> announcer(tcp::socket s) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  ws.read_message_max(4 * 1024);
  co_await ws.async_accept(asio::use_awaitable);
  auto sender = std::make_shared<ChainedSender<beast::tcp_stream>>(ws);
  sender->send_all({"round 1", "round 2", "round 3"});
  sender->announce("final ball!");
  beast::flat_buffer buf;
  co_await ws.async_read(buf, asio::use_awaitable);
}

// Scorecard export: synchronous, runs on the export worker thread.
void export_scorecards(websocket::stream<tcp::socket> &ws, const std::vector<Standing> &rows) {
  for (const auto &r : rows) {
    json j = {{"player", r.player}, {"score", r.score}};
    ws.write(asio::buffer(j.dump()));
  }
}

} // namespace league

int main() {
  asio::io_context ioc;
  std::vector<std::shared_ptr<league::Watcher>> watchers;
  std::map<std::string, long long> table;

  tcp::acceptor tables(ioc, {tcp::v4(), 5200});
  tables.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<league::TableSession>(std::move(s), watchers)->start();
  });
  tcp::acceptor watch(ioc, {tcp::v4(), 5201});
  watch.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec) {
      watchers.push_back(std::make_shared<league::Watcher>(std::move(s)));
      watchers.back()->start();
    }
  });
  tcp::acceptor dash(ioc, {tcp::v4(), 5202});
  dash.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      asio::co_spawn(ioc, league::dashboard(std::move(s), table), asio::detached);
  });
  tcp::acceptor refs(ioc, {tcp::v4(), 5203});
  refs.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<league::RefereeFeed>(std::move(s))->start({"A vs B", "C vs D"});
  });
  tcp::acceptor ann(ioc, {tcp::v4(), 5204});
  ann.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      asio::co_spawn(ioc, league::announcer(std::move(s)), asio::detached);
  });
  ioc.run();
}
