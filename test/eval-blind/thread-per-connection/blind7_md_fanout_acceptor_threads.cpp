// checks: errorshield-thread-per-connection
// mdfan listeners: WebSocket fan-out, a legacy raw-TCP line feed, a historical
// replay port, a POSIX multicast->TCP bridge, and a drop-copy tap.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

#define LOG_INFO(x) (std::clog << "[mdfan] " << x << "\n")

namespace mdfan {

struct ListenerConfig {
  std::string name;
  std::string bind_addr = "0.0.0.0";
  unsigned short port = 0;
  bool legacy_tcp = false;
};

struct ServerConfig {
  std::vector<ListenerConfig> listeners;
  std::size_t io_threads = 4;
  std::size_t encoder_threads = 2;
};

class FeedBus {
 public:
  using Sub = std::function<void(const std::string&)>;
  FeedBus() : publisher_([this] { pump(); }) {}  // single publisher thread for the process
  ~FeedBus() {
    stop_ = true;
    publisher_.join();
  }
  int subscribe(Sub s) {
    std::lock_guard<std::mutex> lk(mu_);
    subs_.emplace(++next_, std::move(s));
    return next_;
  }
  void unsubscribe(int id) {
    std::lock_guard<std::mutex> lk(mu_);
    subs_.erase(id);
  }

 private:
  void pump() {
    while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::mutex mu_;
  std::map<int, Sub> subs_;
  int next_ = 0;
  std::atomic<bool> stop_{false};
  std::thread publisher_;
};

void serve_legacy_client(tcp::socket sock, FeedBus& bus) {
  int id = bus.subscribe([&sock](const std::string& line) {
    beast::error_code ec;
    net::write(sock, net::buffer(line), ec);
  });
  char scratch[256];
  beast::error_code ec;
  while (!ec) sock.read_some(net::buffer(scratch), ec);
  bus.unsubscribe(id);
}

// Blocking acceptor for old line-protocol clients; main() starts one of these
// per configured legacy listener.
void run_legacy_listener(ListenerConfig lc, FeedBus& bus) {
  net::io_context ioc;
  tcp::acceptor acc(ioc, {net::ip::make_address(lc.bind_addr), lc.port});
  LOG_INFO("legacy listener " << lc.name << " on " << lc.port);
  for (;;) {
    beast::error_code ec;
    tcp::socket s(ioc);
    acc.accept(s, ec);
    if (ec) {
      LOG_INFO("accept " << lc.name << ": " << ec.message());
      continue;
    }
    std::thread(serve_legacy_client, std::move(s), std::ref(bus)).detach(); // expect: errorshield-thread-per-connection
  }
}

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket s, FeedBus& bus, net::thread_pool& enc) : ws_(std::move(s)), bus_(bus), enc_(enc) {}
  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      // Per-connection compression setup goes to the shared, fixed-size pool.
      net::post(self->enc_, [self] { self->prime_encoder(); });
    });
  }

 private:
  void prime_encoder() { dict_.assign(4096, '\0'); }
  websocket::stream<beast::tcp_stream> ws_;
  FeedBus& bus_;
  net::thread_pool& enc_;
  std::string dict_;
};

class WsListener : public std::enable_shared_from_this<WsListener> {
 public:
  WsListener(net::io_context& ioc, tcp::endpoint ep, FeedBus& bus, net::thread_pool& enc)
      : ioc_(ioc), acceptor_(ioc, ep), bus_(bus), enc_(enc) {}
  ~WsListener() {
    if (stats_thread_.joinable()) stats_thread_.detach();
  }
  void run() { do_accept(); }

 private:
  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&WsListener::on_accept, shared_from_this()));
  }
  void on_accept(beast::error_code ec, tcp::socket sock) {
    if (ec) {
      LOG_INFO("ws accept: " << ec.message());
    } else {
      ensure_stats_reporter();
      ++accepted_;
      std::make_shared<WsSession>(std::move(sock), bus_, enc_)->start();
    }
    do_accept();
  }
  // Reporter is started lazily on the first connection, exactly once.
  void ensure_stats_reporter() {
    std::call_once(stats_once_, [this] {
      stats_thread_ = std::thread([this] {
        for (;;) {
          std::this_thread::sleep_for(std::chrono::seconds(30));
          LOG_INFO("ws accepted=" << accepted_.load());
        }
      });
    });
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  FeedBus& bus_;
  net::thread_pool& enc_;
  std::once_flag stats_once_;
  std::thread stats_thread_;
  std::atomic<std::uint64_t> accepted_{0};
};

// Historical replay: each client streams a (possibly large) range of ticks.
class ReplayListener : public std::enable_shared_from_this<ReplayListener> {
 public:
  ReplayListener(net::io_context& ioc, tcp::endpoint ep) : acceptor_(ioc, ep) {}
  ~ReplayListener() {
    for (auto& t : workers_) if (t.joinable()) t.join();
  }
  void run() { do_accept(); }

 private:
  void do_accept() {
    acceptor_.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket sock) {
      self->on_accept(ec, std::move(sock));
    });
  }
  void on_accept(beast::error_code ec, tcp::socket sock) {
    if (!ec) {
      LOG_INFO("replay client " << sock.remote_endpoint(ec));
      workers_.emplace_back([s = std::move(sock)]() mutable { replay_range(std::move(s)); }); // expect: errorshield-thread-per-connection
    }
    do_accept();
  }
  static void replay_range(tcp::socket s) {
    beast::error_code ec;
    net::write(s, net::buffer(std::string("REPLAY-BEGIN\n")), ec);
  }
  tcp::acceptor acceptor_;
  std::vector<std::thread> workers_;
};

// POSIX multicast->TCP bridge, kept for colo boxes without Asio.
struct BridgeClient {
  int fd;
  FeedBus* bus;
};

void* bridge_client_main(void* arg) {
  std::unique_ptr<BridgeClient> c(static_cast<BridgeClient*>(arg));
  const char hello[] = "BRIDGE/1\n";
  (void)::send(c->fd, hello, sizeof(hello) - 1, MSG_NOSIGNAL);
  ::close(c->fd);
  return nullptr;
}

void run_posix_bridge(unsigned short port, FeedBus& bus) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0 || ::listen(lfd, 128) < 0) {
    std::perror("bridge bind/listen");
    return;
  }
  for (;;) {
    int cfd = ::accept(lfd, nullptr, nullptr);
    if (cfd < 0) {
      if (errno == EINTR) continue;
      std::perror("bridge accept");
      break;
    }
    auto* ctx = new BridgeClient{cfd, &bus};
    pthread_t tid;
    if (pthread_create(&tid, nullptr, &bridge_client_main, ctx) != 0) { // expect: errorshield-thread-per-connection
      ::close(cfd);
      delete ctx;
      continue;
    }
    pthread_detach(tid);
  }
  ::close(lfd);
}

// Drop-copy tap: compliance tools connect and get a copy of every trade.
class DropCopyTap {
 public:
  void accept_loop(tcp::acceptor& acc) {
    for (;;) {
      tcp::socket s(acc.get_executor());
      acc.accept(s);
      std::lock_guard<std::mutex> lk(mu_);
      const int id = next_id_++;
      taps_.emplace(id, std::jthread([s = std::move(s)](std::stop_token st) mutable { // expect: errorshield-thread-per-connection
        beast::error_code ec;
        while (!st.stop_requested() && !ec) net::write(s, net::buffer("HB\n", 3), ec);
      }));
    }
  }

 private:
  std::mutex mu_;
  int next_id_ = 0;
  std::map<int, std::jthread> taps_;
};

}  // namespace mdfan

int main() {
  mdfan::ServerConfig cfg;
  cfg.listeners = {{"ws-primary", "0.0.0.0", 9100, false},
                   {"legacy-a", "0.0.0.0", 9200, true},
                   {"legacy-b", "0.0.0.0", 9201, true}};
  cfg.io_threads = std::max(2u, std::thread::hardware_concurrency() / 2);

  mdfan::FeedBus bus;
  net::io_context ioc;
  net::thread_pool encoder_pool(cfg.encoder_threads);

  std::vector<std::thread> listener_threads;
  for (const auto& lc : cfg.listeners) {
    if (lc.legacy_tcp) {
      listener_threads.emplace_back(mdfan::run_legacy_listener, lc, std::ref(bus));
    } else {
      std::make_shared<mdfan::WsListener>(ioc, tcp::endpoint{net::ip::make_address(lc.bind_addr), lc.port},
                                          bus, encoder_pool)->run();
    }
  }
  std::make_shared<mdfan::ReplayListener>(ioc, tcp::endpoint{tcp::v4(), 9300})->run();
  std::thread bridge(mdfan::run_posix_bridge, 9400, std::ref(bus));

  std::vector<std::thread> io_pool;
  io_pool.reserve(cfg.io_threads);
  for (std::size_t i = 0; i < cfg.io_threads; ++i) io_pool.emplace_back([&ioc] { ioc.run(); });
  for (auto& t : io_pool) t.join();
  for (auto& t : listener_threads) t.join();
  bridge.join();
  encoder_pool.join();
}
