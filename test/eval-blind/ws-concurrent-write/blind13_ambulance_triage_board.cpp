// checks: errorshield-ws-concurrent-write
// Emergency department triage board: incoming ambulance notifications are
// pushed to every wall display; the CAD (computer aided dispatch) gateway gets
// a line-based feed over plain TCP.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace triage {

struct Inbound {
  std::string unit;      // "MEDIC-14"
  int esi_level = 3;     // Emergency Severity Index 1..5
  int eta_minutes = 0;
  std::string complaint;
};

using Msg = std::shared_ptr<const std::string>;

inline Msg make_msg(const json& j) { return std::make_shared<const std::string>(j.dump()); }

class TriageHub;

class BoardSession : public std::enable_shared_from_this<BoardSession> {
 public:
  BoardSession(tcp::socket s, TriageHub& hub)
      : ws_(std::move(s)), heartbeat_(ws_.get_executor()), hub_(hub) {}

  void run();
  websocket::stream<beast::tcp_stream>& stream() { return ws_; }

  // Safe from any thread: hops onto the session's executor, then queues.
  void deliver(Msg m) {
    net::post(ws_.get_executor(), [self = shared_from_this(), m = std::move(m)]() mutable {
      self->enqueue(std::move(m));
    });
  }

 private:
  void on_accept(beast::error_code ec);
  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&BoardSession::on_read, shared_from_this()));
  }
  void on_read(beast::error_code ec, std::size_t);

  void enqueue(Msg m) {
    outq_.push_back(std::move(m));
    if (outq_.size() > 1) return;  // a write is already running
    do_write();
  }

  void do_write() {
    ws_.async_write(net::buffer(*outq_.front()),  // OK: only one in flight
                    beast::bind_front_handler(&BoardSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    outq_.pop_front();
    if (!outq_.empty()) do_write();  // OK: chained from the completion
  }

  void arm_heartbeat() {
    heartbeat_.expires_after(15s);
    heartbeat_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      auto tick = make_msg({{"type", "clock"}, {"ts", std::chrono::system_clock::now().time_since_epoch().count()}});
      self->ws_.async_write(net::buffer(*tick), [tick](beast::error_code, std::size_t) {});  // expect: errorshield-ws-concurrent-write
      self->arm_heartbeat();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  net::steady_timer heartbeat_;
  std::deque<Msg> outq_;
  TriageHub& hub_;
  friend class TriageHub;
};

class TriageHub {
 public:
  void join(const std::shared_ptr<BoardSession>& s) {
    std::lock_guard lk(mu_);
    boards_.insert(s);
  }
  void leave(const std::shared_ptr<BoardSession>& s) {
    std::lock_guard lk(mu_);
    boards_.erase(s);
  }

  void announce(const Inbound& in) {
    auto m = make_msg({{"type", "inbound"}, {"unit", in.unit}, {"esi", in.esi_level},
                       {"eta", in.eta_minutes}, {"complaint", in.complaint}});
    std::vector<std::shared_ptr<BoardSession>> targets;
    {
      std::lock_guard lk(mu_);
      targets.assign(boards_.begin(), boards_.end());
    }
    for (auto& b : targets) {
      if (in.esi_level == 1) {
        // resuscitation cases jump the queue so the wall flashes immediately
        b->stream().async_write(net::buffer(*m), [m, b](beast::error_code, std::size_t) {});  // expect: errorshield-ws-concurrent-write
      } else {
        b->deliver(m);  // OK
      }
    }
  }

 private:
  std::mutex mu_;
  std::set<std::shared_ptr<BoardSession>> boards_;
};

void BoardSession::run() {
  ws_.async_accept(beast::bind_front_handler(&BoardSession::on_accept, shared_from_this()));
}

void BoardSession::on_accept(beast::error_code ec) {
  if (ec) return;
  ws_.text(true);
  hub_.join(shared_from_this());
  enqueue(make_msg({{"type", "welcome"}}));
  arm_heartbeat();
  do_read();
}

void BoardSession::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    heartbeat_.cancel();
    hub_.leave(shared_from_this());
    return;
  }
  json j = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
  buffer_.consume(buffer_.size());
  if (j.is_discarded() || !j.contains("op")) {
    auto err = make_msg({{"type", "error"}, {"reason", "bad request"}});
    ws_.async_write(net::buffer(*err), [err](beast::error_code, std::size_t) {});  // expect: errorshield-ws-concurrent-write
    return do_read();
  }
  if (j["op"] == "ack") {
    enqueue(make_msg({{"type", "ack_ok"}, {"unit", j.value("unit", "")}}));  // OK
  } else if (j["op"] == "bed_assigned") {
    Inbound in{j.value("unit", ""), j.value("esi", 3), 0, "bed " + j.value("bed", "?")};
    hub_.announce(in);
  }
  do_read();
}

// Line-oriented feed to the dispatch gateway.
class CadFeed : public std::enable_shared_from_this<CadFeed> {
 public:
  explicit CadFeed(tcp::socket s) : sock_(std::move(s)) {}

  // Hand-off notice for the receiving facility.
  void send_handoff(const Inbound& in) {
    auto hdr = std::make_shared<std::string>("HANDOFF " + in.unit + "\r\n");
    auto body = std::make_shared<std::string>("ESI=" + std::to_string(in.esi_level) + ";ETA=" +
                                              std::to_string(in.eta_minutes) + "\r\n");
    net::async_write(sock_, net::buffer(*hdr), [hdr](beast::error_code, std::size_t) {});
    net::async_write(sock_, net::buffer(*body), [body](beast::error_code, std::size_t) {});  // expect: errorshield-ws-concurrent-write
  }

  // OK: body is sent from the header's completion handler.
  void send_divert(const std::string& hospital) {
    auto hdr = std::make_shared<std::string>("DIVERT\r\n");
    auto body = std::make_shared<std::string>(hospital + "\r\n");
    net::async_write(sock_, net::buffer(*hdr),
                     [self = shared_from_this(), hdr, body](beast::error_code ec, std::size_t) {
                       if (ec) return;
                       net::async_write(self->sock_, net::buffer(*body),
                                        [body](beast::error_code, std::size_t) {});
                     });
  }

  // OK: one gather write for both parts.
  void send_clear(const std::string& unit) {
    auto hdr = std::make_shared<std::string>("CLEAR\r\n");
    auto body = std::make_shared<std::string>(unit + "\r\n");
    std::array<net::const_buffer, 2> parts{net::buffer(*hdr), net::buffer(*body)};
    net::async_write(sock_, parts, [hdr, body](beast::error_code, std::size_t) {});
  }

 private:
  tcp::socket sock_;
};

// OK: a late-joining display gets the shift history replayed sequentially;
// each write is awaited before the next starts.
net::awaitable<void> replay_history(websocket::stream<beast::tcp_stream> ws, std::vector<std::string> history) {
  co_await ws.async_accept(net::use_awaitable);
  for (const auto& line : history) {
    co_await ws.async_write(net::buffer(line), net::use_awaitable);
  }
  std::string done = json{{"type", "replay_done"}, {"count", history.size()}}.dump();
  co_await ws.async_write(net::buffer(done), net::use_awaitable);
  co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
}

void accept_boards(tcp::acceptor& acc, TriageHub& hub) {
  acc.async_accept([&acc, &hub](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<BoardSession>(std::move(s), hub)->run();
    accept_boards(acc, hub);
  });
}

int run_board(unsigned short port, unsigned short replay_port) {
  net::io_context ioc{1};
  TriageHub hub;
  tcp::acceptor acc{ioc, {tcp::v4(), port}};
  accept_boards(acc, hub);

  tcp::acceptor replay_acc{ioc, {tcp::v4(), replay_port}};
  net::co_spawn(
      ioc,
      [&replay_acc]() -> net::awaitable<void> {
        for (;;) {
          tcp::socket s = co_await replay_acc.async_accept(net::use_awaitable);
          std::vector<std::string> hist{R"({"type":"inbound","unit":"MEDIC-3"})"};
          net::co_spawn(replay_acc.get_executor(),
                        replay_history(websocket::stream<beast::tcp_stream>(std::move(s)), std::move(hist)),
                        net::detached);
        }
      },
      net::detached);
  ioc.run();
  return 0;
}

}  // namespace triage
