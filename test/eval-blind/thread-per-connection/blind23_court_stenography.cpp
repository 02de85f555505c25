// checks: errorshield-thread-per-connection
// Realtime courtroom stenography feed: steno machines stream translated text,
// the server keeps the running transcript per courtroom and fans it out to
// the judge's bench, counsel tables and the CART captioning displays.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

class Transcript {
 public:
  void append(const std::string& room, const std::string& text) {
    std::lock_guard lk(mu_);
    lines_[room].push_back(text);
  }
  std::size_t size(const std::string& room) {
    std::lock_guard lk(mu_);
    return lines_[room].size();
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::vector<std::string>> lines_;
};

// Blocking session for a steno writer's machine.
class StenoSession {
 public:
  StenoSession(tcp::socket s, Transcript& t) : ws_(std::move(s)), transcript_(t) {}

  void run() {
    beast::error_code ec;
    ws_.accept(ec);
    while (!ec) {
      beast::flat_buffer b;
      ws_.read(b, ec);
      if (ec) break;
      auto j = json::parse(beast::buffers_to_string(b.data()), nullptr, false);
      if (j.is_object()) transcript_.append(j.value("room", "?"), j.value("text", ""));
    }
  }

 private:
  websocket::stream<tcp::socket> ws_;
  Transcript& transcript_;
};

void steno_listener(asio::io_context& ioc, Transcript& t) {
  tcp::acceptor acc(ioc, {tcp::v4(), 4100});
  for (;;) {
    auto session = std::make_shared<StenoSession>(acc.accept(), t);
    std::thread worker(&StenoSession::run, session); // expect: errorshield-thread-per-connection
    worker.detach();
  }
}

// Bounded worker pool for the counsel-table viewers: accepted sockets are queued.
class ViewerPool {
 public:
  ViewerPool(std::size_t workers, Transcript& t) : transcript_(t) {
    for (std::size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
  }
  ~ViewerPool() {
    {
      std::lock_guard lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& th : threads_) th.join();
  }
  void submit(tcp::socket s) {
    {
      std::lock_guard lk(mu_);
      queue_.push_back(std::move(s));
    }
    cv_.notify_one();
  }

 private:
  void work() {
    for (;;) {
      std::optional<tcp::socket> s;
      {
        std::unique_lock lk(mu_);
        cv_.wait(lk, [this] { return stop_ || !queue_.empty(); });
        if (stop_) return;
        s.emplace(std::move(queue_.front()));
        queue_.pop_front();
      }
      StenoSession(std::move(*s), transcript_).run();
    }
  }

  Transcript& transcript_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<tcp::socket> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

void viewer_listener(asio::io_context& ioc, ViewerPool& pool) {
  tcp::acceptor acc(ioc, {tcp::v4(), 4101});
  for (;;) pool.submit(acc.accept());
}

// CART caption displays: coroutine accept loop, but each display gets a
// dedicated reader thread keyed by its peer address.
asio::awaitable<void> caption_listener(Transcript& t, std::map<std::string, std::jthread>& readers) {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acc(ex, {tcp::v4(), 4102});
  for (;;) {
    tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
    auto key = s.remote_endpoint().address().to_string();
    readers[key] = std::jthread([sock = std::move(s), &t]() mutable { // expect: errorshield-thread-per-connection
      StenoSession(std::move(sock), t).run();
    });
  }
}

// Judge's bench feed: async sessions on the io_context.
asio::awaitable<void> bench_feed(tcp::socket s, Transcript& t) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer b;
  for (;;) {
    co_await ws.async_read(b, asio::use_awaitable);
    auto j = json::parse(beast::buffers_to_string(b.data()), nullptr, false);
    b.consume(b.size());
    ws.text(true);
    co_await ws.async_write(asio::buffer(std::to_string(t.size(j.value("room", "1A")))), asio::use_awaitable);
  }
}

asio::awaitable<void> bench_listener(Transcript& t) {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acc(ex, {tcp::v4(), 4103});
  for (;;) {
    auto s = co_await acc.async_accept(asio::use_awaitable);
    asio::co_spawn(ex, bench_feed(std::move(s), t), asio::detached);
  }
}

// Remote depositions: the court reporter joins from a laptop over the VPN.
template <class Session>
class DepositionServer {
 public:
  DepositionServer(asio::io_context& ioc, Transcript& t) : acc_(ioc, {tcp::v4(), 4104}), t_(t) {}

  void start() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (ec) return;
      std::lock_guard lk(mu_);
      threads_.push_back(std::thread([this, s = std::move(s)]() mutable { Session(std::move(s), t_).run(); })); // expect: errorshield-thread-per-connection
      start();
    });
  }

  ~DepositionServer() {
    for (auto& th : threads_) th.join();
  }

 private:
  tcp::acceptor acc_;
  Transcript& t_;
  std::mutex mu_;
  std::vector<std::thread> threads_;
};

// Legacy serial-over-IP bridge for older steno writers, raw sockets.
void legacy_bridge(Transcript& t, const std::string& room, unsigned short port) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::listen(lfd, 8);
  while (true) {
    int fd = ::accept(lfd, nullptr, nullptr);
    if (fd < 0) break;
    std::thread([fd, &t, room] { // expect: errorshield-thread-per-connection
      char buf[256];
      ssize_t n;
      while ((n = ::read(fd, buf, sizeof buf)) > 0) t.append(room, std::string(buf, static_cast<std::size_t>(n)));
      ::close(fd);
    }).detach();
  }
  ::close(lfd);
}

// Overnight archiver: one thread for the whole building.
void archive_loop(Transcript& t, const std::vector<std::string>& rooms) {
  for (;;) {
    for (const auto& r : rooms) (void)t.size(r);
    std::this_thread::sleep_for(std::chrono::minutes(15));
  }
}

int main() {
  asio::io_context ioc;
  Transcript transcript;
  const std::vector<std::string> rooms{"1A", "1B", "2A", "3C"};

  ViewerPool viewers(8, transcript);
  std::map<std::string, std::jthread> caption_readers;
  DepositionServer<StenoSession> depositions(ioc, transcript);
  depositions.start();
  asio::co_spawn(ioc, caption_listener(transcript, caption_readers), asio::detached);
  asio::co_spawn(ioc, bench_listener(transcript), asio::detached);

  std::thread steno([&] { steno_listener(ioc, transcript); });
  std::thread viewer_acc([&] { viewer_listener(ioc, viewers); });
  std::thread archiver(archive_loop, std::ref(transcript), std::cref(rooms));

  // One legacy bridge per courtroom that still has an old writer.
  std::vector<std::thread> bridges;
  for (std::size_t i = 0; i < rooms.size(); ++i)
    bridges.emplace_back(legacy_bridge, std::ref(transcript), rooms[i], static_cast<unsigned short>(4110 + i));

  std::vector<std::thread> io;
  for (int i = 0; i < 4; ++i) io.emplace_back([&ioc] { ioc.run(); });
  for (auto& th : io) th.join();
  for (auto& th : bridges) th.join();
  steno.join();
  viewer_acc.join();
  archiver.join();
}
