// checks: errorshield-ws-blocking-in-handler
// Lock-keeper console backend: operators connect over WebSocket, the service
// relays gate/sluice commands to the PLCs that sit on each lock chamber.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

struct PlcEndpoint {
  std::string host;
  std::string port;
};

// One request/response exchange with a chamber PLC (line based protocol).
static std::string plc_query_blocking(asio::io_context& ioc, const PlcEndpoint& ep,
                                      const std::string& line) {
  tcp::resolver res(ioc);
  tcp::socket sock(ioc);
  asio::connect(sock, res.resolve(ep.host, ep.port));
  asio::write(sock, asio::buffer(line + "\n"));
  asio::streambuf sb;
  asio::read_until(sock, sb, '\n');
  std::istream is(&sb);
  std::string reply;
  std::getline(is, reply);
  return reply;
}

static std::atomic<int> g_chambers_filling{0};

class LockSession : public std::enable_shared_from_this<LockSession> {
public:
  LockSession(tcp::socket s, asio::io_context& ioc, asio::thread_pool& pool, PlcEndpoint plc)
      : ws_(std::move(s)), ioc_(ioc), pool_(pool), plc_(std::move(plc)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(32 * 1024);
    ws_.async_accept(beast::bind_front_handler(&LockSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec) {
      std::cerr << "accept: " << ec.message() << "\n";
      return;
    }
    const std::string hello = json{{"type", "hello"}, {"site", "Lock 7 / Upper Weir"}}.dump();
    ws_.text(true);
    ws_.write(asio::buffer(hello)); // expect: errorshield-ws-blocking-in-handler
    do_read();
  }

  void do_read() {
    ws_.async_read(buf_, beast::bind_front_handler(&LockSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed)
      return;
    if (ec) {
      std::cerr << "read: " << ec.message() << "\n";
      return;
    }
    auto msg = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (msg.is_discarded() || !msg.is_object()) {
      do_read();
      return;
    }

    const std::string cmd = msg.value("cmd", "");
    const int gate = msg.value("gate", 0);
    json reply{{"cmd", cmd}, {"gate", gate}};

    if (cmd == "status") {
      reply["plc"] = plc_query_blocking(ioc_, plc_, "STATUS " + std::to_string(gate)); // expect: errorshield-ws-blocking-in-handler
    } else if (cmd == "open_gate") {
      // give the hydraulic rams a moment to pressurise before we ack
      std::this_thread::sleep_for(std::chrono::milliseconds(750)); // expect: errorshield-ws-blocking-in-handler
      reply["state"] = "opening";
    } else if (cmd == "audit") {
      // audit dumps can take seconds; run them off the network thread
      auto self = shared_from_this();
      asio::post(pool_, [self, gate] {
        std::string dump = plc_query_blocking(self->ioc_, self->plc_, "AUDIT " + std::to_string(gate));
        asio::post(self->ws_.get_executor(), [self, dump = std::move(dump)] {
          self->outbox_ = json{{"cmd", "audit"}, {"dump", dump}}.dump();
          self->send_outbox();
        });
      });
      return;
    } else {
      reply["error"] = "unknown command";
    }

    outbox_ = reply.dump();
    send_outbox();
  }

  void send_outbox() {
    ws_.text(true);
    ws_.async_write(asio::buffer(outbox_),
                    beast::bind_front_handler(&LockSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  asio::io_context& ioc_;
  asio::thread_pool& pool_;
  PlcEndpoint plc_;
  beast::flat_buffer buf_;
  std::string outbox_;
};

// Periodically samples the upstream water level for the dashboard.
class LevelPoller {
public:
  LevelPoller(asio::io_context& ioc, PlcEndpoint gauge) : ioc_(ioc), timer_(ioc), gauge_(std::move(gauge)) {}

  void arm() {
    timer_.expires_after(std::chrono::seconds(5));
    timer_.async_wait([this](beast::error_code ec) {
      if (ec)
        return;
      tcp::resolver res(ioc_);
      auto eps = res.resolve(gauge_.host, gauge_.port); // expect: errorshield-ws-blocking-in-handler
      last_endpoint_count_ = static_cast<int>(std::distance(eps.begin(), eps.end()));
      arm();
    });
  }

private:
  asio::io_context& ioc_;
  asio::steady_timer timer_;
  PlcEndpoint gauge_;
  int last_endpoint_count_ = 0;
};

// Fill/drain cycle for one chamber; each step waits for the PLC to settle.
asio::awaitable<void> sluice_cycle(int chamber, bool raise) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer settle(ex);
  ++g_chambers_filling;
  for (int step = 0; step < 4; ++step) {
    settle.expires_after(std::chrono::seconds(2));
    co_await settle.async_wait(asio::use_awaitable);
    std::cout << "chamber " << chamber << (raise ? " filling" : " draining") << " step " << step << "\n";
  }
  // paddles need a short dwell before the next command is accepted
  ::usleep(300 * 1000); // expect: errorshield-ws-blocking-in-handler
  --g_chambers_filling;
}

asio::awaitable<void> listener(tcp::acceptor& acc, asio::io_context& ioc, asio::thread_pool& pool,
                               PlcEndpoint plc) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
    std::make_shared<LockSession>(std::move(s), ioc, pool, plc)->start();
  }
}

// Hardware watchdog: runs on its own thread, never on the io_context.
static void watchdog_loop(std::atomic<bool>& stop) {
  while (!stop.load()) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    if (g_chambers_filling.load() > 2)
      std::cerr << "watchdog: more than two chambers moving water\n";
  }
}

int main(int argc, char** argv) {
  PlcEndpoint plc{argc > 1 ? argv[1] : "plc-lock7.canal.local", "5020"};
  PlcEndpoint gauge{"gauge-upper.canal.local", "5021"};

  asio::io_context ioc{1};
  asio::thread_pool pool{2};

  // make sure the PLC answers before we open the console port
  try {
    std::cout << "plc: " << plc_query_blocking(ioc, plc, "PING") << "\n";
  } catch (const std::exception& e) {
    std::cerr << "plc unreachable: " << e.what() << "\n";
    return 1;
  }

  std::atomic<bool> stop{false};
  std::thread wd(watchdog_loop, std::ref(stop));

  tcp::acceptor acc(ioc, {tcp::v4(), 8443});
  LevelPoller poller(ioc, gauge);
  poller.arm();
  asio::co_spawn(ioc, listener(acc, ioc, pool, plc), asio::detached);
  asio::co_spawn(ioc, sluice_cycle(1, true), asio::detached);

  asio::signal_set sigs(ioc, SIGINT, SIGTERM);
  sigs.async_wait([&](beast::error_code, int) { ioc.stop(); });

  ioc.run();
  stop = true;
  wd.join();
  pool.join();
}
