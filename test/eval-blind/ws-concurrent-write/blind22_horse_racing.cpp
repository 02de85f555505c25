// checks: errorshield-ws-concurrent-write
// Racecourse tote board feed: pushes live win/place/show pool odds to the
// infield displays and the betting-hall screens over WebSocket.
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
using namespace std::chrono_literals;

namespace tote {

struct Runner {
  int number;
  std::string name;
  long win_pool_cents;
};

inline std::string odds_message(int race, const Runner& r) {
  return json{{"race", race}, {"runner", r.number}, {"name", r.name},
              {"win_pool", r.win_pool_cents}}.dump();
}

// Betting-hall screen: every update goes through the outbound queue.
class HallScreen : public std::enable_shared_from_this<HallScreen> {
 public:
  explicit HallScreen(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) std::cerr << "hall accept: " << ec.message() << "\n";
    });
  }

  void send(std::string msg) {
    outbox_.push_back(std::move(msg));
    if (outbox_.size() > 1) return;
    do_write();
  }

 private:
  void do_write() {
    ws_.async_write(asio::buffer(outbox_.front()),
                    beast::bind_front_handler(&HallScreen::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    outbox_.pop_front();
    if (!outbox_.empty()) do_write();
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::deque<std::string> outbox_;
};

// Infield display: older board, written to directly.
class InfieldDisplay : public std::enable_shared_from_this<InfieldDisplay> {
 public:
  explicit InfieldDisplay(tcp::socket s) : ws_(std::move(s)) {}

  void push(std::shared_ptr<const std::string> msg) {
    ws_.async_write(asio::buffer(*msg), [self = shared_from_this(), msg]( // expect: errorshield-ws-concurrent-write
                                            beast::error_code ec, std::size_t) {
      if (ec) std::cerr << "infield: " << ec.message() << "\n";
    });
  }

  // Called by the race controller when the gates close.
  void race_closed(int race) {
    closed_ = json{{"race", race}, {"status", "closed"}}.dump();
    banner_ = json{{"race", race}, {"banner", "NO MORE BETS"}}.dump();
    ws_.async_write(asio::buffer(closed_), [self = shared_from_this()](
                                               beast::error_code, std::size_t) {});
    ws_.async_write(asio::buffer(banner_), [self = shared_from_this()]( // expect: errorshield-ws-concurrent-write
                                               beast::error_code, std::size_t) {});
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
  std::string closed_;
  std::string banner_;
};

// Photo-finish board by the judges' box: result first, then the banner once
// the first frame is out.
class PhotoFinishBoard : public std::enable_shared_from_this<PhotoFinishBoard> {
 public:
  explicit PhotoFinishBoard(tcp::socket s) : ws_(std::move(s)) {}

  void announce(int race) {
    status_ = json{{"race", race}, {"status", "photo"}}.dump();
    ws_.async_write(asio::buffer(status_), [self = shared_from_this(), race](
                                               beast::error_code ec, std::size_t) {
      if (ec) return;
      self->banner_ = json{{"race", race}, {"banner", "PHOTO"}}.dump();
      self->ws_.async_write(asio::buffer(self->banner_),
                            [self](beast::error_code, std::size_t) {});
    });
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
  std::string status_;
  std::string banner_;
};

class ToteHub {
 public:
  void add(std::shared_ptr<HallScreen> s) { halls_.insert(std::move(s)); }
  void add(std::shared_ptr<InfieldDisplay> d) { infield_.insert(std::move(d)); }

  // Pool recalculation fires every few seconds; one message per runner.
  void publish(int race, const std::vector<Runner>& field) {
    for (const auto& r : field) {
      auto msg = std::make_shared<const std::string>(odds_message(race, r));
      for (auto& h : halls_) h->send(*msg);
      for (auto& d : infield_) d->push(msg);
    }
  }

 private:
  std::set<std::shared_ptr<HallScreen>> halls_;
  std::set<std::shared_ptr<InfieldDisplay>> infield_;
};

// Paddock monitor: a single coroutine drives the stream sequentially.
asio::awaitable<void> paddock_monitor(tcp::socket sock, std::vector<Runner> field) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable);
  for (const auto& r : field) {
    co_await ws.async_write(asio::buffer(odds_message(1, r)), asio::use_awaitable);
  }
  co_await ws.async_write(asio::buffer(std::string("{\"paddock\":\"ready\"}")),
                          asio::use_awaitable);
}

// Jockey weigh-in board: the late scratch notice is fired off in the background.
asio::awaitable<void> weigh_in_board(tcp::socket sock, std::string scratches) {
  auto ex = co_await asio::this_coro::executor;
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable);
  std::string notice = json{{"scratches", scratches}}.dump();
  asio::co_spawn(ex, ws.async_write(asio::buffer(notice), asio::use_awaitable),
                 asio::detached);
  std::string weights = "{\"weigh_in\":\"open\"}";
  co_await ws.async_write(asio::buffer(weights), asio::use_awaitable); // expect: errorshield-ws-concurrent-write
  beast::flat_buffer buf;
  co_await ws.async_read(buf, asio::use_awaitable);
}

// Trackside exotic-pool board (trifecta / superfecta), generic over transport.
template <class Stream>
class ExoticBoard {
 public:
  explicit ExoticBoard(websocket::stream<Stream>& ws) : ws_(ws) {}

  void show_pools(const std::vector<std::pair<std::string, long>>& pools) {
    lines_.clear();
    for (const auto& [name, cents] : pools)
      lines_.push_back(json{{"pool", name}, {"cents", cents}}.dump());
    for (const auto& line : lines_) {
      ws_.async_write(asio::buffer(line), [](beast::error_code ec, std::size_t) { // expect: errorshield-ws-concurrent-write
        if (ec) std::cerr << "exotic: " << ec.message() << "\n";
      });
    }
  }

  // Mirror the carryover to both the main and the backup board.
  void show_carryover(websocket::stream<Stream>& backup, long cents) {
    carry_ = json{{"carryover", cents}}.dump();
    ws_.async_write(asio::buffer(carry_), [](beast::error_code, std::size_t) {});
    backup.async_write(asio::buffer(carry_), [](beast::error_code, std::size_t) {});
  }

 private:
  websocket::stream<Stream>& ws_;
  std::vector<std::string> lines_;
  std::string carry_;
};

using TrackBoard = websocket::stream<beast::tcp_stream>;

void run_exotics(TrackBoard& pools_board, TrackBoard& carry_board, TrackBoard& backup_board) {
  ExoticBoard<beast::tcp_stream> pools(pools_board);
  pools.show_pools({{"trifecta", 1250000}, {"superfecta", 480000}});
  ExoticBoard<beast::tcp_stream> carry(carry_board);
  carry.show_carryover(backup_board, 90000);
}

asio::awaitable<void> accept_halls(tcp::acceptor acc, ToteHub& hub) {
  for (;;) {
    auto s = co_await acc.async_accept(asio::use_awaitable);
    auto screen = std::make_shared<HallScreen>(std::move(s));
    screen->start();
    hub.add(screen);
  }
}

}  // namespace tote

int main() {
  asio::io_context ioc;
  tote::ToteHub hub;
  asio::co_spawn(ioc, tote::accept_halls(tcp::acceptor(ioc, {tcp::v4(), 7700}), hub),
                 asio::detached);
  asio::steady_timer recalc(ioc);
  std::vector<tote::Runner> field{{1, "Copper Kettle", 0}, {2, "Night Ferry", 0}};
  std::function<void()> tick = [&] {
    recalc.expires_after(3s);
    recalc.async_wait([&](beast::error_code ec) {
      if (ec) return;
      for (auto& r : field) r.win_pool_cents += 500;
      hub.publish(3, field);
      tick();
    });
  };
  tick();
  ioc.run();
}
