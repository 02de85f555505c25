// checks: errorshield-ws-concurrent-write
// Live quiz show backend: contestant buzzers, host tablet, audience voting
// and the studio scoreboard, all on WebSocket.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

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

namespace quiz {

using ws_t = websocket::stream<beast::tcp_stream>;

inline std::string question_json(int round, const std::string &text) {
  return json{{"type", "question"}, {"round", round}, {"text", text}}.dump();
}

inline std::string scoreboard_json(int score) {
  return json{{"type", "score"}, {"score", score}}.dump();
}

// Contestant podium: queued writes, one in flight at a time.
class Contestant : public std::enable_shared_from_this<Contestant> {
public:
  explicit Contestant(tcp::socket sock) : ws_(std::move(sock)) {}

  void deliver(std::string msg) {
    outbox_.push_back(std::move(msg));
    if (outbox_.size() == 1)
      write_next();
  }

private:
  void write_next() {
    ws_.async_write(asio::buffer(outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec)
                        return;
                      self->outbox_.pop_front();
                      if (!self->outbox_.empty())
                        self->write_next();
                    });
  }

  ws_t ws_;
  std::deque<std::string> outbox_;
};

// Host tablet: gets the next question and the running scoreboard.
class HostSession : public std::enable_shared_from_this<HostSession> {
public:
  explicit HostSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->on_join();
    });
  }

  void push_hints(const std::vector<std::string> &hints) {
    for (const auto &h : hints) {
      auto msg = std::make_shared<std::string>(h);
      ws_.async_write(asio::buffer(*msg), [msg](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    }
  }

  void on_answer(bool correct) {
    score_ += correct ? 100 : 0;
    send(correct ? R"({"verdict":"correct"})" : R"({"verdict":"wrong"})");
    send(scoreboard_json(score_)); // expect: errorshield-ws-concurrent-write
  }

private:
  void on_join() {
    question_ = question_json(round_, "Which planet has the most moons?");
    board_ = scoreboard_json(score_);
    ws_.async_write(asio::buffer(question_), [self = shared_from_this()](beast::error_code, std::size_t) {});
    ws_.async_write(asio::buffer(board_), [self = shared_from_this()](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    do_read();
  }

  void send(std::string text) {
    auto msg = std::make_shared<std::string>(std::move(text));
    ws_.async_write(asio::buffer(*msg), [msg, self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (!j.is_discarded())
        self->on_answer(j.value("correct", false));
      self->do_read();
    });
  }

  ws_t ws_;
  beast::flat_buffer buf_;
  std::string question_, board_;
  int round_ = 1;
  int score_ = 0;
};

// Studio scoreboard: reveal sequence, each write chained on the previous one.
class ScoreboardSession : public std::enable_shared_from_this<ScoreboardSession> {
public:
  explicit ScoreboardSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void reveal(int final_score) {
    first_ = R"({"type":"drumroll"})";
    second_ = scoreboard_json(final_score);
    ws_.async_write(asio::buffer(first_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->ws_.async_write(asio::buffer(self->second_),
                            [self](beast::error_code, std::size_t) {});
    });
  }

private:
  ws_t ws_;
  std::string first_, second_;
};

// Audience voting: coroutine per phone.
asio::awaitable<void> audience_session(websocket::stream<tcp::socket> ws) {
  co_await ws.async_accept(asio::use_awaitable);
  std::string welcome = R"({"type":"welcome"})";
  std::string poll = R"({"type":"poll","options":["A","B","C","D"]})";
  co_await ws.async_write(asio::buffer(welcome), asio::use_awaitable);
  co_await ws.async_write(asio::buffer(poll), asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    buf.consume(buf.size());
  }
}

// Lifeline "phone a friend": friend's phone gets the question and a countdown.
asio::awaitable<void> phone_a_friend(websocket::stream<tcp::socket> &ws, std::string question) {
  std::string countdown = R"({"type":"countdown","seconds":30})";
  ws.async_write(asio::buffer(question), asio::detached);
  co_await ws.async_write(asio::buffer(countdown), asio::use_awaitable); // expect: errorshield-ws-concurrent-write
}

// Reading and writing at the same time on one stream is allowed.
asio::awaitable<void> buzzer_session(websocket::stream<tcp::socket> &ws) {
  static const std::string armed = R"({"type":"armed"})";
  beast::flat_buffer buf;
  ws.async_write(asio::buffer(armed), asio::detached);
  co_await ws.async_read(buf, asio::use_awaitable);
  std::cout << "buzz: " << beast::buffers_to_string(buf.data()) << '\n';
}

// Round intro shared by the TV and streaming feeds.
template <class WebSocket>
void announce_round(WebSocket &ws, const std::string &title, const std::string &rules) {
  ws.async_write(asio::buffer(title), [](beast::error_code, std::size_t) {});
  ws.async_write(asio::buffer(rules), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
}

// Lights-up message to every buzzer once they have all connected.
void arm_all(std::vector<std::shared_ptr<ws_t>> &buzzers, const std::string &msg) {
  for (auto &b : buzzers)
    b->async_write(asio::buffer(msg), [b](beast::error_code, std::size_t) {});
}

} // namespace quiz

int main() {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, {tcp::v4(), 9300});
  static const std::string title = R"({"round":"Lightning"})";
  static const std::string rules = R"({"rules":"10 seconds per question"})";
  static const std::string lights = R"({"type":"lights"})";

  acceptor.async_accept([&](beast::error_code ec, tcp::socket sock) {
    if (ec)
      return;
    auto tv = std::make_shared<quiz::ws_t>(std::move(sock));
    tv->async_accept([tv](beast::error_code ec) {
      if (!ec)
        quiz::announce_round(*tv, title, rules);
    });
  });

  // Three podiums; arm them together once every handshake is done.
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        tcp::acceptor podiums(ioc, {tcp::v4(), 9301});
        std::vector<std::shared_ptr<quiz::ws_t>> buzzers;
        while (buzzers.size() < 3) {
          auto sock = co_await podiums.async_accept(asio::use_awaitable);
          auto b = std::make_shared<quiz::ws_t>(std::move(sock));
          co_await b->async_accept(asio::use_awaitable);
          buzzers.push_back(b);
        }
        quiz::arm_all(buzzers, lights);
      },
      asio::detached);
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        auto sock = co_await acceptor.async_accept(asio::use_awaitable);
        co_await quiz::audience_session(websocket::stream<tcp::socket>(std::move(sock)));
      },
      asio::detached);
  ioc.run();
}
