// checks: errorshield-thread-per-connection
// Wind tunnel instrument feed: the DAQ samples balance forces, pitot
// pressures and the traverse position; engineers' workstations subscribe
// over WebSocket, the old LabVIEW clients use a raw TCP port.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace tunnel {

struct Sample {
  double lift_n = 0, drag_n = 0, side_n = 0;
  double q_pa = 0;
  double alpha_deg = 0;
};

class SampleBus {
public:
  void publish(const Sample &s) {
    std::lock_guard<std::mutex> lk(mu_);
    last_ = s;
  }
  Sample latest() {
    std::lock_guard<std::mutex> lk(mu_);
    return last_;
  }

private:
  std::mutex mu_;
  Sample last_;
};

json to_json(const Sample &s) {
  return {{"L", s.lift_n}, {"D", s.drag_n}, {"Y", s.side_n}, {"q", s.q_pa}, {"a", s.alpha_deg}};
}

// ---------------------------------------------------------------------------
// Workstation subscriber, blocking; pushes the latest sample at 50 Hz.
class Subscriber {
public:
  Subscriber(tcp::socket s, SampleBus &bus) : ws_(std::move(s)), bus_(bus) {}

  void run() {
    beast::error_code ec;
    ws_.accept(ec);
    if (ec)
      return;
    ws_.text(true);
    while (!ec) {
      std::string msg = to_json(bus_.latest()).dump();
      ws_.write(asio::buffer(msg), ec);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

private:
  websocket::stream<tcp::socket> ws_;
  SampleBus &bus_;
};

void serve_workstations(asio::io_context &ioc, SampleBus &bus) {
  tcp::acceptor acc(ioc, {tcp::v4(), 8800});
  for (;;) {
    tcp::socket s = acc.accept();
    auto sub = std::make_shared<Subscriber>(std::move(s), bus);
    std::thread{&Subscriber::run, sub}.detach(); // expect: errorshield-thread-per-connection
  }
}

// ---------------------------------------------------------------------------
// LabVIEW clients: raw POSIX socket, fixed-size binary records.
struct LegacyClientArgs {
  int fd;
  SampleBus *bus;
};

void *legacy_client_main(void *p) {
  std::unique_ptr<LegacyClientArgs> args(static_cast<LegacyClientArgs *>(p));
  for (;;) {
    Sample s = args->bus->latest();
    std::array<double, 5> rec{s.lift_n, s.drag_n, s.side_n, s.q_pa, s.alpha_deg};
    if (::send(args->fd, rec.data(), sizeof(rec), MSG_NOSIGNAL) <= 0)
      break;
    ::usleep(100000);
  }
  ::close(args->fd);
  return nullptr;
}

void legacy_listener(SampleBus &bus) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(5025);
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  ::bind(lfd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr));
  ::listen(lfd, 16);
  for (;;) {
    int cfd = ::accept(lfd, nullptr, nullptr);
    if (cfd < 0)
      continue;
    pthread_t tid;
    auto *args = new LegacyClientArgs{cfd, &bus};
    if (pthread_create(&tid, nullptr, legacy_client_main, args) == 0) // expect: errorshield-thread-per-connection
      pthread_detach(tid);
    else
      ::close(cfd);
  }
}

// ---------------------------------------------------------------------------
// Run-control clients (test engineers starting/stopping sweeps).
class RunControlServer {
public:
  RunControlServer(asio::io_context &ioc, SampleBus &bus) : acc_(ioc, {tcp::v4(), 8801}), bus_(bus) {}

  ~RunControlServer() {
    for (auto &t : handlers_)
      if (t.joinable())
        t.join();
  }

  void listen() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket s) { on_accept(ec, std::move(s)); });
  }

private:
  void on_accept(beast::error_code ec, tcp::socket s) {
    if (!ec)
      handlers_.emplace_back(&RunControlServer::serve, this, std::move(s)); // expect: errorshield-thread-per-connection
    listen();
  }

  void serve(tcp::socket s) {
    websocket::stream<tcp::socket> ws(std::move(s));
    beast::error_code ec;
    ws.accept(ec);
    beast::flat_buffer buf;
    while (!ec) {
      ws.read(buf, ec);
      if (ec)
        break;
      std::cout << "run control: " << beast::buffers_to_string(buf.data())
                << " at alpha " << bus_.latest().alpha_deg << "\n";
      buf.clear();
    }
  }

  tcp::acceptor acc_;
  SampleBus &bus_;
  std::vector<std::thread> handlers_;
};

// ---------------------------------------------------------------------------
// Data-reduction nodes pull coefficient tables; coroutine acceptor.
asio::awaitable<void> reduction_listener(tcp::acceptor acc, SampleBus &bus) {
  for (;;) {
    auto s = co_await acc.async_accept(asio::use_awaitable);
    std::jthread([sock = std::move(s), &bus]() mutable { // expect: errorshield-thread-per-connection
      websocket::stream<tcp::socket> ws(std::move(sock));
      ws.accept();
      Sample smp = bus.latest();
      double cl = smp.q_pa > 0 ? smp.lift_n / smp.q_pa : 0.0;
      std::string out = json{{"CL_area", cl}}.dump();
      ws.write(asio::buffer(out));
    }).detach();
  }
}

// Dashboard sessions: async, all on the shared io_context.
asio::awaitable<void> dashboard_session(tcp::socket sock, SampleBus &bus) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable);
  asio::steady_timer tick(ws.get_executor());
  ws.text(true);
  for (;;) {
    std::string msg = to_json(bus.latest()).dump();
    co_await ws.async_write(asio::buffer(msg), asio::use_awaitable);
    tick.expires_after(std::chrono::milliseconds(100));
    co_await tick.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<void> dashboard_listener(tcp::acceptor acc, SampleBus &bus) {
  for (;;) {
    auto s = co_await acc.async_accept(asio::use_awaitable);
    asio::co_spawn(acc.get_executor(), dashboard_session(std::move(s), bus), asio::detached);
  }
}

} // namespace tunnel

int main() {
  tunnel::SampleBus bus;
  asio::io_context ioc;
  std::atomic<bool> running{true};

  // DAQ acquisition: one thread per analog channel group, fixed at startup.
  const std::array<const char *, 3> groups{"balance", "pitot", "traverse"};
  std::vector<std::thread> daq;
  for (const char *g : groups) {
    daq.emplace_back([g, &bus, &running] {
      while (running) {
        tunnel::Sample s;
        s.alpha_deg = std::strlen(g);
        bus.publish(s);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
  }

  std::thread legacy(tunnel::legacy_listener, std::ref(bus));
  legacy.detach();

  tunnel::RunControlServer rc(ioc, bus);
  rc.listen();
  asio::co_spawn(ioc, tunnel::reduction_listener(tcp::acceptor(ioc, {tcp::v4(), 8802}), bus), asio::detached);
  asio::co_spawn(ioc, tunnel::dashboard_listener(tcp::acceptor(ioc, {tcp::v4(), 8803}), bus), asio::detached);

  std::thread io_thread([&ioc] { ioc.run(); });
  tunnel::serve_workstations(ioc, bus);

  running = false;
  io_thread.join();
  for (auto &t : daq)
    t.join();
}
