// checks: errorshield-ws-concurrent-write
// Cinema seat picker: browsers hold/release seats for a showing over WebSocket,
// live seat deltas and price changes fan out to everyone viewing the same show.
// Lobby kiosks run a coroutine variant; tickets go to a thermal printer socket.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace cinema {

using Msg = std::shared_ptr<const std::string>;
inline Msg to_msg(const json& j) { return std::make_shared<const std::string>(j.dump()); }

class ShowHub {
 public:
  using Listener = std::function<void(const Msg&)>;

  void on_seat_delta(const std::string& show, Listener fn) {
    std::lock_guard lk(mu_);
    seat_listeners_[show].push_back(std::move(fn));
  }
  void on_price_change(const std::string& show, Listener fn) {
    std::lock_guard lk(mu_);
    price_listeners_[show].push_back(std::move(fn));
  }
  void publish_seats(const std::string& show, const Msg& m) { fire(seat_listeners_, show, m); }
  void publish_price(const std::string& show, const Msg& m) { fire(price_listeners_, show, m); }

 private:
  void fire(std::map<std::string, std::vector<Listener>>& table, const std::string& show, const Msg& m) {
    std::vector<Listener> copy;
    {
      std::lock_guard lk(mu_);
      copy = table[show];
    }
    for (auto& fn : copy) fn(m);
  }

  std::mutex mu_;
  std::map<std::string, std::vector<Listener>> seat_listeners_;
  std::map<std::string, std::vector<Listener>> price_listeners_;
};

class PickerSession : public std::enable_shared_from_this<PickerSession> {
 public:
  PickerSession(tcp::socket s, ShowHub& hub)
      : ws_(std::move(s)), warn_timer_(ws_.get_executor()), expire_timer_(ws_.get_executor()), hub_(hub) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->ws_.text(true);
      self->read_next();
    });
  }

 private:
  // One write at a time; everything else waits in backlog_.
  void send(Msg m) {
    if (writing_) {
      backlog_.push_back(std::move(m));
      return;
    }
    writing_ = true;
    ws_.async_write(net::buffer(*m), [self = shared_from_this(), m](beast::error_code ec, std::size_t) {  // OK: guarded by writing_
      self->writing_ = false;
      if (ec || self->backlog_.empty()) return;
      Msg next = self->backlog_.front();
      self->backlog_.erase(self->backlog_.begin());
      self->send(std::move(next));
    });
  }

  void read_next() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->handle(json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false));
      self->in_.consume(self->in_.size());
      self->read_next();
    });
  }

  void handle(const json& req) {
    if (!req.is_object()) return;
    const std::string op = req.value("op", "");
    if (op == "join") {
      show_ = req.value("show", "");
      std::weak_ptr<PickerSession> weak = weak_from_this();
      hub_.on_seat_delta(show_, [weak](const Msg& m) {
        if (auto s = weak.lock())
          net::post(s->ws_.get_executor(), [s, m] { s->send(m); });  // OK
      });
      hub_.on_price_change(show_, [weak](const Msg& m) {
        auto s = weak.lock();
        if (!s) return;
        s->ws_.async_write(net::buffer(*m), [s, m](beast::error_code, std::size_t) {});  // expect: errorshield-ws-concurrent-write
      });
      send(to_msg({{"type", "joined"}, {"show", show_}}));
    } else if (op == "hold") {
      held_ = req.value("seats", std::vector<std::string>{});
      send(to_msg({{"type", "hold_ok"}, {"seats", held_}}));
      hub_.publish_seats(show_, to_msg({{"type", "taken"}, {"seats", held_}}));
      arm_hold_timers();
    } else if (op == "release") {
      hub_.publish_seats(show_, to_msg({{"type", "freed"}, {"seats", held_}}));
      held_.clear();
      warn_timer_.cancel();
      expire_timer_.cancel();
    }
  }

  void arm_hold_timers() {
    warn_timer_.expires_after(6min);
    warn_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->send(to_msg({{"type", "hold_warning"}, {"seconds_left", 60}}));  // OK
    });
    expire_timer_.expires_after(7min);
    expire_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->held_.empty()) return;
      auto gone = to_msg({{"type", "hold_expired"}, {"seats", self->held_}});
      self->hub_.publish_seats(self->show_, to_msg({{"type", "freed"}, {"seats", self->held_}}));
      self->held_.clear();
      self->ws_.async_write(net::buffer(*gone), [gone](beast::error_code, std::size_t) {});  // expect: errorshield-ws-concurrent-write
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  net::steady_timer warn_timer_;
  net::steady_timer expire_timer_;
  ShowHub& hub_;
  bool writing_ = false;
  std::vector<Msg> backlog_;
  std::string show_;
  std::vector<std::string> held_;
};

// Lobby kiosk: single coroutine per kiosk.
net::awaitable<void> kiosk_session(websocket::stream<beast::tcp_stream> ws, std::string show) {
  co_await ws.async_accept(net::use_awaitable);
  ws.text(true);
  std::string banner = json{{"type", "banner"}, {"text", "Tap a seat to begin"}}.dump();
  std::string seatmap = json{{"type", "seatmap"}, {"show", show}, {"rows", 12}, {"cols", 18}}.dump();
  ws.async_write(net::buffer(banner), net::detached);
  co_await ws.async_write(net::buffer(seatmap), net::use_awaitable);  // expect: errorshield-ws-concurrent-write

  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    auto req = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (!req.is_object()) continue;
    // OK: each write awaited before the next
    std::string ack = json{{"type", "ack"}, {"seat", req.value("seat", "")}}.dump();
    co_await ws.async_write(net::buffer(ack), net::use_awaitable);
    std::string total = json{{"type", "total"}, {"cents", 1450}}.dump();
    co_await ws.async_write(net::buffer(total), net::use_awaitable);
  }
}

struct Ticket {
  std::string show;
  std::string seat;
  std::string barcode;
};

inline std::string ticket_line(const Ticket& t) { return t.show + " SEAT " + t.seat + " " + t.barcode + "\n"; }

// Thermal printer in the lobby speaks a raw line protocol on TCP 9100.
template <class AsyncStream>
void print_tickets(AsyncStream& printer, const std::vector<Ticket>& tickets) {
  auto header = std::make_shared<std::string>("\x1b@CINEMA 7\n");
  net::async_write(printer, net::buffer(*header), [header](beast::error_code, std::size_t) {});
  for (const auto& t : tickets) {
    auto line = std::make_shared<std::string>(ticket_line(t));
    net::async_write(printer, net::buffer(*line), [line](beast::error_code, std::size_t) {});  // expect: errorshield-ws-concurrent-write
  }
}

// OK: whole job assembled first, a single write per batch.
template <class AsyncStream>
void print_tickets_batched(AsyncStream& printer, const std::vector<Ticket>& tickets) {
  auto job = std::make_shared<std::string>("\x1b@CINEMA 7\n");
  for (const auto& t : tickets) *job += ticket_line(t);
  net::async_write(printer, net::buffer(*job), [job](beast::error_code, std::size_t) {});
}

void accept_pickers(tcp::acceptor& acc, ShowHub& hub) {
  acc.async_accept([&acc, &hub](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<PickerSession>(std::move(s), hub)->start();
    accept_pickers(acc, hub);
  });
}

int run_seat_picker(unsigned short web_port, unsigned short kiosk_port, const std::string& printer_host) {
  net::io_context ioc{1};
  ShowHub hub;
  tcp::acceptor web{ioc, {tcp::v4(), web_port}};
  accept_pickers(web, hub);

  tcp::acceptor kiosk{ioc, {tcp::v4(), kiosk_port}};
  net::co_spawn(
      ioc,
      [&kiosk]() -> net::awaitable<void> {
        for (;;) {
          tcp::socket s = co_await kiosk.async_accept(net::use_awaitable);
          net::co_spawn(kiosk.get_executor(),
                        kiosk_session(websocket::stream<beast::tcp_stream>(std::move(s)), "T7-2030"),
                        net::detached);
        }
      },
      net::detached);

  tcp::socket printer{ioc};
  tcp::resolver res{ioc};
  boost::system::error_code ec;
  net::connect(printer, res.resolve(printer_host, "9100"), ec);
  if (!ec) {
    std::vector<Ticket> preprinted{{"T7-2030", "F11", "7730112"}, {"T7-2030", "F12", "7730113"}};
    if (preprinted.size() > 1)
      print_tickets_batched(printer, preprinted);
    else
      print_tickets(printer, preprinted);
  }
  ioc.run();
  return 0;
}

}  // namespace cinema
