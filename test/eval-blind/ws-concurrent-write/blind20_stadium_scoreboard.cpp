// checks: errorshield-ws-concurrent-write
// Scoreboard push service: the scoring desk posts events, every connected
// board (ribbon displays, video walls, press-box tablets) gets a JSON frame.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using WsStream = websocket::stream<beast::tcp_stream>;

struct ScoreState {
  int home = 0;
  int away = 0;
  int period = 1;
  std::string clock = "20:00";

  std::string to_frame() const {
    return json{{"type", "score"}, {"home", home}, {"away", away}, {"period", period}, {"clock", clock}}.dump();
  }
};

class BoardSession : public std::enable_shared_from_this<BoardSession> {
public:
  BoardSession(tcp::socket s, const ScoreState& st, std::vector<std::string> history)
      : ws_(std::move(s)), tick_(ws_.get_executor()), state_(st), history_(std::move(history)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&BoardSession::on_accept, shared_from_this()));
  }

  // Called from the scoring desk thread; hops onto the session's executor first.
  void deliver(std::shared_ptr<const std::string> frame) {
    asio::post(ws_.get_executor(), [self = shared_from_this(), frame] {
      self->queue_.push_back(frame);
      if (self->queue_.size() > 1)
        return; // a write is already running, on_write will pick this up
      self->write_next();
    });
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    layout_ = json{{"type", "layout"}, {"panels", {"score", "clock", "penalties"}}}.dump();
    snapshot_ = state_.to_frame();
    auto self = shared_from_this();
    ws_.async_write(asio::buffer(layout_), [self](beast::error_code, std::size_t) {});
    ws_.async_write(asio::buffer(snapshot_), [self](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    do_read();
    arm_clock();
  }

  void do_read() {
    ws_.async_read(in_, beast::bind_front_handler(&BoardSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto req = json::parse(beast::buffers_to_string(in_.data()), nullptr, false);
    in_.consume(in_.size());
    if (!req.is_discarded() && req.value("type", "") == "replay") {
      // boards that reconnect mid-game ask for everything they missed
      for (const auto& frame : history_)
        ws_.async_write(asio::buffer(frame), [self = shared_from_this()](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    }
    do_read();
  }

  // Game clock ticks once a second on the ribbon boards.
  void arm_clock() {
    tick_.expires_after(std::chrono::seconds(1));
    tick_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->clock_frame_ = json{{"type", "clock"}, {"clock", self->state_.clock}}.dump();
      self->ws_.async_write(asio::buffer(self->clock_frame_), [self](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
      self->arm_clock();
    });
  }

  void write_next() {
    ws_.async_write(asio::buffer(*queue_.front()),
                    beast::bind_front_handler(&BoardSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) {
      queue_.clear();
      return;
    }
    queue_.pop_front();
    if (!queue_.empty())
      write_next();
  }

  WsStream ws_;
  asio::steady_timer tick_;
  ScoreState state_;
  std::vector<std::string> history_;
  beast::flat_buffer in_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::string layout_, snapshot_, clock_frame_;
};

// Goal celebration on the big video wall: banner first, then the new score.
asio::awaitable<void> flash_goal(std::shared_ptr<WsStream> wall, std::string banner, ScoreState st) {
  std::string score = st.to_frame();
  wall->async_write(asio::buffer(banner), asio::detached);
  co_await wall->async_write(asio::buffer(score), asio::use_awaitable); // expect: errorshield-ws-concurrent-write
}

// Penalty box panel: sends the infraction and the updated penalty clock.
asio::awaitable<void> show_penalty(std::shared_ptr<WsStream> panel, std::string who, int minutes) {
  std::string head = json{{"type", "penalty"}, {"player", who}}.dump();
  std::string tail = json{{"type", "penalty_clock"}, {"minutes", minutes}}.dump();
  co_await panel->async_write(asio::buffer(head), asio::use_awaitable);
  co_await panel->async_write(asio::buffer(tail), asio::use_awaitable);
}

// Mirrors the same frame to the home-end and away-end video walls.
template <class Stream>
class WallPair {
public:
  WallPair(Stream& home_end, Stream& away_end) : home_(home_end), away_(away_end) {}

  void mirror(std::string frame) {
    frame_ = std::move(frame);
    home_.async_write(asio::buffer(frame_), [](beast::error_code, std::size_t) {});
    away_.async_write(asio::buffer(frame_), [](beast::error_code, std::size_t) {});
  }

  // Intermission: sponsor slide, and then the period summary once it is out.
  void intermission(std::string sponsor, std::string summary) {
    sponsor_ = std::move(sponsor);
    summary_ = std::move(summary);
    home_.async_write(asio::buffer(sponsor_), [this](beast::error_code ec, std::size_t) {
      if (!ec)
        home_.async_write(asio::buffer(summary_), [](beast::error_code, std::size_t) {});
    });
  }

  // Period end on the home wall: horn graphic plus the final period score.
  void period_end(const ScoreState& st) {
    summary_ = st.to_frame();
    send_horn();
    home_.async_write(asio::buffer(summary_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

private:
  void send_horn() {
    horn_ = json{{"type", "horn"}}.dump();
    home_.async_write(asio::buffer(horn_), [](beast::error_code, std::size_t) {});
  }

  Stream& home_;
  Stream& away_;
  std::string frame_, sponsor_, summary_, horn_;
};

class ScoreDesk {
public:
  explicit ScoreDesk(asio::io_context& ioc) : acceptor_(ioc, {tcp::v4(), 9100}) {}

  void run_accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        std::lock_guard lk(mu_);
        auto sess = std::make_shared<BoardSession>(std::move(s), state_, history_);
        boards_.insert(sess);
        sess->start();
      }
      run_accept();
    });
  }

  void record(const std::string& team, int pts) {
    std::lock_guard lk(mu_);
    (team == "home" ? state_.home : state_.away) += pts;
    auto frame = std::make_shared<const std::string>(state_.to_frame());
    history_.push_back(*frame);
    for (auto& b : boards_)
      b->deliver(frame);
  }

private:
  tcp::acceptor acceptor_;
  std::mutex mu_;
  ScoreState state_;
  std::vector<std::string> history_;
  std::set<std::shared_ptr<BoardSession>> boards_;
};

template class WallPair<WsStream>;

int main() {
  asio::io_context ioc;
  ScoreDesk desk(ioc);
  desk.run_accept();
  ioc.run();
}
