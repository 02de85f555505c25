// checks: errorshield-thread-per-connection
// Cellar monitoring server: fermenter probe controllers report gravity and
// temperature over a line protocol, brewers watch tanks live over WebSocket.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
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
using json = nlohmann::json;

namespace cellar {

struct Reading {
  int tank_id = 0;
  double temp_c = 0;
  double gravity_sg = 0;
  double pressure_bar = 0;
  std::chrono::system_clock::time_point at;
};

class ReadingStore {
 public:
  void put(const Reading& r) {
    std::lock_guard lk(mu_);
    latest_[r.tank_id] = r;
  }
  json snapshot() const {
    std::lock_guard lk(mu_);
    json j = json::array();
    for (const auto& [id, r] : latest_)
      j.push_back({{"tank", id}, {"temp", r.temp_c}, {"sg", r.gravity_sg}, {"bar", r.pressure_bar}});
    return j;
  }

 private:
  mutable std::mutex mu_;
  std::map<int, Reading> latest_;
};

bool parse_probe_line(const std::string& line, Reading& out);
void flush_to_historian(const ReadingStore& store);

// --- Probe listener (plain POSIX, controllers are small ESP32 boards) -------

void handle_probe(int fd, ReadingStore* store) {
  char buf[256];
  std::string pending;
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    pending.append(buf, static_cast<std::size_t>(n));
    for (auto pos = pending.find('\n'); pos != std::string::npos; pos = pending.find('\n')) {
      Reading r;
      if (parse_probe_line(pending.substr(0, pos), r)) store->put(r);
      pending.erase(0, pos + 1);
    }
  }
  ::close(fd);
}

void run_probe_listener(int listen_fd, ReadingStore& store, std::atomic<bool>& stop) {
  while (!stop.load()) {
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    int fd = ::accept(listen_fd, reinterpret_cast<sockaddr*>(&peer), &len);
    if (fd < 0) continue;
    std::thread(handle_probe, fd, &store).detach();  // expect: errorshield-thread-per-connection
  }
}

// --- Fixed polling threads for the glycol chiller loops ----------------------
// The cellar has four chiller circuits; each is polled over Modbus/TCP.

struct ChillerCircuit {
  std::string host;
  int port;
};

class ChillerPollers {
 public:
  explicit ChillerPollers(const std::vector<ChillerCircuit>& circuits) {
    for (const auto& c : circuits)
      threads_.emplace_back([c](std::stop_token st) {  // OK: fixed config set, not per accepted peer
        while (!st.stop_requested()) {
          std::printf("poll %s:%d\n", c.host.c_str(), c.port);
          std::this_thread::sleep_for(std::chrono::seconds(5));
        }
      });
  }

 private:
  std::vector<std::jthread> threads_;
};

// --- WebSocket dashboard ------------------------------------------------------

class DashboardServer {
 public:
  DashboardServer(net::io_context& ioc, tcp::endpoint ep, ReadingStore& store)
      : ioc_(ioc), acceptor_(ioc, ep), store_(store), pool_(4) {}

  // Original blocking implementation, still used by the bench test rig.
  void serve_blocking() {
    for (;;) {
      tcp::socket sock(ioc_);
      acceptor_.accept(sock);
      std::thread worker(&DashboardServer::session, this, std::move(sock));  // expect: errorshield-thread-per-connection
      worker.detach();
    }
  }

  // Production: accept loop hands connections to a fixed-size pool.
  void serve_pooled() {
    for (;;) {
      tcp::socket sock(ioc_);
      acceptor_.accept(sock);
      net::post(pool_, [this, s = std::move(sock)]() mutable {  // OK: bounded pool
        session(std::move(s));
      });
      if (!historian_.joinable()) {
        historian_ = std::thread([this] {  // OK: started once, lazily
          for (;;) {
            flush_to_historian(store_);
            std::this_thread::sleep_for(std::chrono::minutes(1));
          }
        });
      }
    }
  }

  // Async accept for the per-tank "live" view; handler re-arms itself.
  void start_async() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket sock) {
      if (!ec) {
        live_workers_.emplace_back(&DashboardServer::session, this, std::move(sock));  // expect: errorshield-thread-per-connection
      }
      start_async();
    });
  }

  // Async variant the cellar tablets use: sessions stay on the io_context.
  void start_async_sessions() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket sock) {
      if (!ec) {
        auto ws = std::make_shared<websocket::stream<tcp::socket>>(std::move(sock));
        ws->async_accept([ws, this](beast::error_code aec) {  // OK: no new thread
          if (aec) return;
          auto body = std::make_shared<std::string>(store_.snapshot().dump());
          ws->text(true);
          ws->async_write(net::buffer(*body), [ws, body](beast::error_code, std::size_t) {});
        });
      }
      start_async_sessions();
    });
  }

  // Runs the io_context on a fixed set of threads.
  void run(unsigned n) {
    for (unsigned i = 0; i < n; ++i)
      io_threads_.emplace_back([this] { ioc_.run(); });  // OK: fixed pool size
  }

  ~DashboardServer() {
    pool_.join();
    for (auto& t : io_threads_) t.join();
    for (auto& t : live_workers_) t.join();
    if (historian_.joinable()) historian_.detach();
  }

 private:
  void session(tcp::socket sock) {
    beast::error_code ec;
    websocket::stream<tcp::socket> ws(std::move(sock));
    ws.accept(ec);
    if (ec) return;
    ws.text(true);
    while (!ec) {
      ws.write(net::buffer(store_.snapshot().dump()), ec);
      std::this_thread::sleep_for(std::chrono::seconds(2));
    }
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  ReadingStore& store_;
  net::thread_pool pool_;
  std::thread historian_;
  std::vector<std::thread> io_threads_;
  std::vector<std::thread> live_workers_;
};

// --- Alarm relay: brewers' phones hold a long-lived TCP connection ------------

template <class Notify>
class AlarmRelay {
 public:
  AlarmRelay(net::io_context& ioc, unsigned short port, Notify notify)
      : acceptor_(ioc, tcp::endpoint(tcp::v4(), port)), notify_(std::move(notify)) {}

  void accept_loop() {
    for (;;) {
      auto sock = std::make_shared<tcp::socket>(acceptor_.accept());
      auto job = [sock, n = notify_] {
        beast::error_code ec;
        n(*sock, ec);
      };
      std::jthread(std::move(job)).detach();  // expect: errorshield-thread-per-connection
    }
  }

 private:
  tcp::acceptor acceptor_;
  Notify notify_;
};

void start_alarm_relay(net::io_context& ioc) {
  auto notify = [](tcp::socket& s, beast::error_code& ec) {
    net::write(s, net::buffer(std::string("ALARM OK\n")), ec);
  };
  auto* relay = new AlarmRelay<decltype(notify)>(ioc, 9100, notify);
  std::thread acceptor_thread([relay] { relay->accept_loop(); });  // OK: single acceptor thread
  acceptor_thread.detach();
}

}  // namespace cellar
