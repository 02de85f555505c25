// checks: errorshield-thread-per-connection
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace bingo {

struct RoomConfig {
  std::string name;
  int balls = 75;
  int seconds_between_calls = 6;
};

struct HallConfig {
  std::uint16_t tablet_port = 8800;
  std::uint16_t caller_port = 8801;
  std::uint16_t payout_port = 8802;
  std::uint16_t signage_port = 8803;
  unsigned io_threads = 2;
  std::vector<RoomConfig> rooms;
};

inline HallConfig load_hall(const std::string& path) {
  std::ifstream in(path);
  const json j = json::parse(in);
  HallConfig h;
  h.tablet_port = j.value("tablet_port", h.tablet_port);
  h.caller_port = j.value("caller_port", h.caller_port);
  h.payout_port = j.value("payout_port", h.payout_port);
  h.signage_port = j.value("signage_port", h.signage_port);
  h.io_threads = j.value("io_threads", h.io_threads);
  for (const auto& r : j.at("rooms"))
    h.rooms.push_back({r.at("name"), r.value("balls", 75), r.value("interval", 6)});
  return h;
}

// Draw state for one room; called balls are published to tablets and signage.
class Room {
 public:
  explicit Room(RoomConfig cfg) : cfg_(std::move(cfg)), rng_(std::random_device{}()) {}

  int draw() {
    std::lock_guard lock(mu_);
    if (static_cast<int>(called_.size()) >= cfg_.balls) return 0;
    std::uniform_int_distribution<int> d(1, cfg_.balls);
    int b;
    do b = d(rng_); while (!called_.insert(b).second);
    return b;
  }

  json board() {
    std::lock_guard lock(mu_);
    return json{{"room", cfg_.name}, {"called", std::vector<int>(called_.begin(), called_.end())}};
  }

  const RoomConfig& config() const { return cfg_; }

 private:
  RoomConfig cfg_;
  std::mutex mu_;
  std::mt19937 rng_;
  std::set<int> called_;
};

template <class Fn>
void run_detached(Fn&& fn) {
  std::thread(std::forward<Fn>(fn)).detach();
}

// ---------------------------------------------------------------------------
// Player tablets: asynchronous, one strand-free session per tablet on the
// shared io_context.

class TabletSession : public std::enable_shared_from_this<TabletSession> {
 public:
  TabletSession(tcp::socket s, Room& room) : ws_(std::move(s)), room_(room) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(16 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->buf_.consume(self->buf_.size());
      self->reply_ = self->room_.board().dump();
      self->ws_.text(true);
      self->ws_.async_write(net::buffer(self->reply_), [self](beast::error_code wec, std::size_t) {
        if (!wec) self->do_read();
      });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  Room& room_;
  std::string reply_;
};

// ---------------------------------------------------------------------------
// Caller's desk (one or two per room): synchronous WebSocket.

inline void do_caller_session(tcp::socket socket, Room& room) {
  try {
    websocket::stream<tcp::socket> ws(std::move(socket));
    ws.accept();
    for (;;) {
      beast::flat_buffer buffer;
      ws.read(buffer);
      const json cmd = json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
      if (cmd.is_discarded()) continue;
      if (cmd.value("op", std::string()) == "next") {
        const std::string out = json{{"ball", room.draw()}}.dump();
        ws.text(true);
        ws.write(net::buffer(out));
      }
    }
  } catch (const beast::system_error&) {
  }
}

// Cashier payout terminals verify winning cards against the room board.
struct PayoutTerminal {
  websocket::stream<tcp::socket> ws;
  std::unique_ptr<std::thread> worker;
  explicit PayoutTerminal(tcp::socket s) : ws(std::move(s)) {}
};

class Hall {
 public:
  explicit Hall(const std::string& config_path)
      : cfg_(load_hall(config_path)),
        tablet_acceptor_(ioc_, tcp::endpoint(tcp::v4(), cfg_.tablet_port)),
        caller_acceptor_(ioc_, tcp::endpoint(tcp::v4(), cfg_.caller_port)),
        payout_acceptor_(ioc_, tcp::endpoint(tcp::v4(), cfg_.payout_port)),
        signage_acceptor_(ioc_, tcp::endpoint(tcp::v4(), cfg_.signage_port)),
        signage_pool_(2) {
    for (const RoomConfig& rc : cfg_.rooms) rooms_.push_back(std::make_unique<Room>(rc));

    on_caller_ = [this](tcp::socket s) {
      std::lock_guard lock(mu_);
      caller_threads_.emplace_back(&do_caller_session, std::move(s), std::ref(*rooms_.front())); // expect: errorshield-thread-per-connection
    };
  }

  void start() {
    accept_tablet();
    for (unsigned i = 0; i < cfg_.io_threads; ++i) io_threads_.emplace_back([this] { ioc_.run(); });

    // one draw clock per room listed in the hall configuration
    for (auto& room : rooms_) {
      draw_clocks_.emplace_back([this, r = room.get()](std::stop_token st) {
        while (!st.stop_requested() && r->draw() != 0)
          std::this_thread::sleep_for(std::chrono::seconds(r->config().seconds_between_calls));
      });
    }

    run_detached([this] { accept_callers(); });
    run_detached([this] { accept_payouts(); });
    run_detached([this] { accept_signage(); });
  }

 private:
  void accept_tablet() {
    tablet_acceptor_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<TabletSession>(std::move(s), *rooms_.front())->run();
      accept_tablet();
    });
  }

  void accept_callers() {
    for (;;) {
      tcp::socket s = caller_acceptor_.accept();
      on_caller_(std::move(s));
    }
  }

  void accept_payouts() {
    for (;;) {
      auto term = std::make_shared<PayoutTerminal>(payout_acceptor_.accept());
      term->worker = std::make_unique<std::thread>(&Hall::serve_payout, this, term.get()); // expect: errorshield-thread-per-connection
      term->worker->detach();
      std::lock_guard lock(mu_);
      terminals_.push_back(std::move(term));
    }
  }

  void serve_payout(PayoutTerminal* t) {
    beast::error_code ec;
    t->ws.accept(ec);
    while (!ec) {
      beast::flat_buffer buffer;
      t->ws.read(buffer, ec);
      if (ec) break;
      const json claim = json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
      const json board = rooms_.front()->board();
      bool ok = !claim.is_discarded() && claim.contains("numbers");
      if (ok) {
        const auto& called = board["called"];
        for (const auto& n : claim["numbers"])
          if (std::find(called.begin(), called.end(), n) == called.end()) ok = false;
      }
      const std::string out = json{{"verified", ok}}.dump();
      t->ws.text(true);
      t->ws.write(net::buffer(out), ec);
    }
  }

  // Lobby signage screens, served by a two-thread pool.
  void accept_signage() {
    for (;;) {
      auto s = std::make_shared<tcp::socket>(signage_acceptor_.accept());
      net::post(signage_pool_, [this, s] { serve_signage(std::move(*s)); });
    }
  }

  void serve_signage(tcp::socket socket) {
    beast::error_code ec;
    websocket::stream<tcp::socket> ws(std::move(socket));
    ws.accept(ec);
    if (ec) return;
    for (auto& room : rooms_) {
      const std::string out = room->board().dump();
      ws.write(net::buffer(out), ec);
      if (ec) return;
    }
    ws.close(websocket::close_code::normal, ec);
  }

  HallConfig cfg_;
  net::io_context ioc_;
  tcp::acceptor tablet_acceptor_;
  tcp::acceptor caller_acceptor_;
  tcp::acceptor payout_acceptor_;
  tcp::acceptor signage_acceptor_;
  net::thread_pool signage_pool_;
  std::vector<std::unique_ptr<Room>> rooms_;
  std::function<void(tcp::socket)> on_caller_;
  std::mutex mu_;
  std::vector<std::thread> caller_threads_;
  std::vector<std::shared_ptr<PayoutTerminal>> terminals_;
  std::vector<std::jthread> io_threads_;
  std::vector<std::jthread> draw_clocks_;
};

// ---------------------------------------------------------------------------
// Satellite hall on the old network still dials in over plain TCP; its
// caller desk and its remote card readers use separate ports.

inline void run_satellite_relay(net::io_context& ioc, std::uint16_t port, Room& room) {
  tcp::acceptor acceptor{ioc, {tcp::v4(), port}};
  for (;;) {
    tcp::socket socket{ioc};
    acceptor.accept(socket);
    std::thread(&do_caller_session, std::move(socket), std::ref(room)).detach(); // expect: errorshield-thread-per-connection
  }
}

inline void run_satellite_readers(net::io_context& ioc, std::uint16_t port, Room& room) {
  tcp::acceptor acceptor{ioc, {tcp::v4(), port}};
  for (;;) {
    tcp::socket socket{ioc};
    acceptor.accept(socket);
    run_detached([s = std::make_shared<tcp::socket>(std::move(socket)), &room]() mutable { // expect: errorshield-thread-per-connection
      do_caller_session(std::move(*s), room);
    });
  }
}

}  // namespace bingo
