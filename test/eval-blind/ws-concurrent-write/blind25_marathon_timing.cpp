// checks: errorshield-ws-concurrent-write
// Live timing for a city marathon: chip mats at each split post crossings,
// and spectator apps / the commentary booth get splits over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace timing {

struct Split {
  int bib = 0;
  std::string mat; // "5K", "10K", "HALF", ...
  long elapsed_ms = 0;
};

inline std::string to_wire(const Split &s) {
  return json{{"bib", s.bib}, {"mat", s.mat}, {"t", s.elapsed_ms}}.dump();
}

// Spectator connection with a proper outbound queue.
class SpectatorSession : public std::enable_shared_from_this<SpectatorSession> {
public:
  explicit SpectatorSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->send(R"({"hello":"marathon-live"})");
    });
  }

  void send(std::string msg) {
    outbox_.push_back(std::move(msg));
    if (outbox_.size() > 1)
      return; // a write is already in flight
    write_front();
  }

private:
  void write_front() {
    ws_.async_write(asio::buffer(outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec)
                        return;
                      self->outbox_.pop_front();
                      if (!self->outbox_.empty())
                        self->write_front();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::deque<std::string> outbox_;
};

// Commentary booth: gets a split and, for leaders, a "leader change" banner.
class BoothSession : public std::enable_shared_from_this<BoothSession> {
public:
  explicit BoothSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code) {});
  }

  void on_split(const Split &s, bool new_leader) {
    split_msg_ = to_wire(s);
    ws_.async_write(asio::buffer(split_msg_), [](beast::error_code, std::size_t) {});
    if (new_leader) {
      banner_msg_ = json{{"banner", "NEW LEADER"}, {"bib", s.bib}}.dump();
      ws_.async_write(asio::buffer(banner_msg_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    }
  }

  // Replays the last N splits when the booth reconnects.
  void replay(const std::vector<Split> &recent) {
    replay_msgs_.clear();
    for (auto &s : recent)
      replay_msgs_.push_back(to_wire(s));
    for (auto &m : replay_msgs_)
      ws_.async_write(asio::buffer(m), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

  // Chained correctly: the finish-line photo caption follows the split.
  void on_finish(const Split &s, std::string caption) {
    split_msg_ = to_wire(s);
    banner_msg_ = std::move(caption);
    ws_.async_write(asio::buffer(split_msg_),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec)
                        return;
                      self->ws_.async_write(asio::buffer(self->banner_msg_),
                                            [](beast::error_code, std::size_t) {});
                    });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  std::string split_msg_;
  std::string banner_msg_;
  std::vector<std::string> replay_msgs_;
};

// Timing mat feed (coroutine): the mat pushes crossings, we echo an ack.
asio::awaitable<void> mat_feed(tcp::socket s, std::vector<std::shared_ptr<SpectatorSession>> &fans) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    auto j = json::parse(beast::buffers_to_string(buf.data()));
    buf.consume(buf.size());
    Split sp{j.at("bib").get<int>(), j.at("mat").get<std::string>(), j.at("t").get<long>()};

    // each spectator has its own stream and queue
    for (auto &f : fans)
      f->send(to_wire(sp));

    std::string ack = R"({"ack":true})";
    std::string echo = to_wire(sp);
    co_await ws.async_write(asio::buffer(ack), asio::use_awaitable);
    co_await ws.async_write(asio::buffer(echo), asio::use_awaitable);
  }
}

// Backup mat feed written by another team: fire-and-forget status then ack.
asio::awaitable<void> backup_mat_feed(tcp::socket s) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  std::string status = R"({"status":"backup-active"})";
  std::string course = R"({"course":"city-42k","mats":["5K","10K","HALF","30K","FINISH"]})";
  ws.async_write(asio::buffer(status), asio::detached);
  co_await ws.async_write(asio::buffer(course), asio::use_awaitable); // expect: errorshield-ws-concurrent-write
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    std::string ack = R"({"ack":true})";
    co_await ws.async_write(asio::buffer(ack), asio::use_awaitable);
    buf.consume(buf.size());
  }
}

// Results board on the finish straight: a lambda helper that writes directly.
void results_board(websocket::stream<beast::tcp_stream> &ws, const std::vector<Split> &top3) {
  auto lines = std::make_shared<std::vector<std::string>>();
  for (auto &s : top3)
    lines->push_back(to_wire(s));
  auto push = [&ws, lines](std::size_t i) {
    ws.async_write(asio::buffer((*lines)[i]), [lines](beast::error_code, std::size_t) {});
  };
  push(0);
  if (lines->size() > 1)
    push(1); // expect: errorshield-ws-concurrent-write
}

// Broadcast to every booth screen: one write per distinct stream.
template <class Stream>
void broadcast_clock(std::vector<std::unique_ptr<websocket::stream<Stream>>> &screens,
                     std::shared_ptr<std::string> text) {
  for (auto &scr : screens)
    scr->async_write(asio::buffer(*text), [text](beast::error_code, std::size_t) {});
}

// Race clock on the gantry: heartbeat and time string on every tick.
template <class Stream>
void gantry_tick(websocket::stream<Stream> &ws, asio::steady_timer &t, std::shared_ptr<std::string> clock,
                 std::shared_ptr<std::string> hb) {
  t.expires_after(std::chrono::seconds(1));
  t.async_wait([&ws, &t, clock, hb](beast::error_code ec) {
    if (ec)
      return;
    *clock = std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
    ws.async_write(asio::buffer(*hb), [](beast::error_code, std::size_t) {});
    ws.async_write(asio::buffer(*clock), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    gantry_tick(ws, t, clock, hb);
  });
}

asio::awaitable<void> listener(tcp::acceptor acc, std::vector<std::shared_ptr<SpectatorSession>> &fans) {
  for (;;) {
    auto s = co_await acc.async_accept(asio::use_awaitable);
    auto sess = std::make_shared<SpectatorSession>(std::move(s));
    fans.push_back(sess);
    sess->start();
  }
}

} // namespace timing

int main() {
  asio::io_context ioc;
  std::vector<std::shared_ptr<timing::SpectatorSession>> fans;
  tcp::acceptor acc(ioc, {tcp::v4(), 9400});
  asio::co_spawn(ioc, timing::listener(std::move(acc), fans), asio::detached);
  ioc.run();
}
