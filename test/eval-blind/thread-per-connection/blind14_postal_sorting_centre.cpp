// checks: errorshield-thread-per-connection
// Postal sorting centre: barcode scanners on the conveyor lines, chute
// controllers and the supervisor console all connect to this routing daemon.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace sorting {

struct RoutingTable {
  std::mutex mu;
  std::unordered_map<std::string, int> postcode_to_chute;

  int chute_for(const std::string& postcode) {
    std::lock_guard lk(mu);
    auto it = postcode_to_chute.find(postcode.substr(0, 3));
    return it == postcode_to_chute.end() ? 0 : it->second; // chute 0 = manual sort
  }
};

RoutingTable g_routes;

// One scanner line protocol: "<barcode> <postcode>\n" in, "<chute>\n" out.
void serve_scanner_fd(int fd) {
  char buf[256];
  std::string pending;
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      break;
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      auto sp = line.find(' ');
      int chute = sp == std::string::npos ? 0 : g_routes.chute_for(line.substr(sp + 1));
      std::string reply = std::to_string(chute) + "\n";
      ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
    }
  }
  ::close(fd);
}

extern "C" void* scanner_thread_main(void* arg) {
  int fd = static_cast<int>(reinterpret_cast<std::intptr_t>(arg));
  serve_scanner_fd(fd);
  return nullptr;
}

int open_listener(std::uint16_t port) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (lfd < 0)
    return -1;
  int one = 1;
  ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 || ::listen(lfd, 128) < 0) {
    ::close(lfd);
    return -1;
  }
  return lfd;
}

// Hall A scanners: raw POSIX accept loop.
void run_hall_a(std::uint16_t port) {
  int lfd = open_listener(port);
  if (lfd < 0)
    return;
  for (;;) {
    int cfd = ::accept(lfd, nullptr, nullptr);
    if (cfd < 0)
      continue;
    pthread_t tid;
    if (pthread_create(&tid, nullptr, scanner_thread_main, reinterpret_cast<void*>(static_cast<std::intptr_t>(cfd))) != 0) { // expect: errorshield-thread-per-connection
      ::close(cfd);
      continue;
    }
    pthread_detach(tid);
  }
}

// OK: Hall B uses a fixed set of workers fed from a queue of accepted fds.
class FdQueue {
public:
  void push(int fd) {
    {
      std::lock_guard lk(mu_);
      fds_.push_back(fd);
    }
    cv_.notify_one();
  }
  int pop() {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [this] { return !fds_.empty(); });
    int fd = fds_.front();
    fds_.pop_front();
    return fd;
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<int> fds_;
};

void run_hall_b(std::uint16_t port, unsigned workers) {
  int lfd = open_listener(port);
  if (lfd < 0)
    return;
  FdQueue q;
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < workers; ++i)
    pool.emplace_back([&q] {
      for (;;)
        serve_scanner_fd(q.pop());
    });
  for (;;) {
    int cfd = ::accept(lfd, nullptr, nullptr);
    if (cfd >= 0)
      q.push(cfd);
  }
}

// Chute controllers: blocking Asio accept; each controller reports jams.
std::string handle_chute_report(tcp::socket& s) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  beast::error_code ec;
  http::read(s, buf, req, ec);
  if (ec)
    return {};
  auto j = json::parse(req.body(), nullptr, false);
  return j.is_discarded() ? std::string{} : j.value("chute", std::string{});
}

std::vector<std::future<std::string>> g_chute_jobs;

void run_chute_listener(net::io_context& ioc, std::uint16_t port) {
  tcp::acceptor acc{ioc, {tcp::v4(), port}};
  for (;;) {
    tcp::socket s{ioc};
    beast::error_code ec;
    acc.accept(s, ec);
    if (ec)
      break;
    g_chute_jobs.push_back(std::async(std::launch::async, [sock = std::move(s)]() mutable { // expect: errorshield-thread-per-connection
      return handle_chute_report(sock);
    }));
  }
}

// Supervisor consoles: the acceptor calls whatever callback was registered.
class SupervisorGateway {
public:
  using OnAccept = std::function<void(tcp::socket)>;

  SupervisorGateway(net::io_context& ioc, std::uint16_t port) : acc_(ioc, {tcp::v4(), port}) {}

  void set_on_accept(OnAccept cb) { on_accept_ = std::move(cb); }

  void start() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (ec)
        return;
      if (on_accept_)
        on_accept_(std::move(s));
      start();
    });
  }

private:
  tcp::acceptor acc_;
  OnAccept on_accept_;
};

void serve_console(tcp::socket s) {
  beast::error_code ec;
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  http::read(s, buf, req, ec);
  if (ec)
    return;
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  res.body() = json{{"status", "sorting"}, {"lines", 6}}.dump();
  res.prepare_payload();
  http::write(s, res, ec);
}

template <class Session>
void wire_supervisor(SupervisorGateway& gw, Session session) {
  gw.set_on_accept([session](tcp::socket s) {
    std::thread t(session, std::move(s)); // expect: errorshield-thread-per-connection
    t.detach();
  });
}

// OK: label printers are polled by a pool, consoles on the overflow gateway too.
void wire_overflow(SupervisorGateway& gw, net::thread_pool& pool) {
  gw.set_on_accept([&pool](tcp::socket s) {
    net::post(pool, [sock = std::move(s)]() mutable { serve_console(std::move(sock)); });
  });
}

int run_daemon(std::uint16_t base_port) {
  net::io_context ioc;
  net::thread_pool console_pool{4};

  // OK: one thread per conveyor line, fixed at startup from the site config.
  const std::vector<std::uint16_t> lines{0, 1, 2, 3};
  std::vector<std::thread> line_threads;
  for (auto line : lines)
    line_threads.emplace_back(run_hall_a, static_cast<std::uint16_t>(base_port + line));

  // OK: a single background thread, not tied to any connection.
  std::thread hall_b(run_hall_b, static_cast<std::uint16_t>(base_port + 10), 8u);

  SupervisorGateway sup{ioc, static_cast<std::uint16_t>(base_port + 20)};
  wire_supervisor(sup, &serve_console);
  sup.start();

  SupervisorGateway overflow{ioc, static_cast<std::uint16_t>(base_port + 21)};
  wire_overflow(overflow, console_pool);
  overflow.start();

  std::thread chutes([&ioc, base_port] { run_chute_listener(ioc, static_cast<std::uint16_t>(base_port + 30)); });

  ioc.run();
  chutes.join();
  hall_b.join();
  for (auto& t : line_threads)
    t.join();
  console_pool.join();
  return 0;
}

} // namespace sorting
