// checks: errorshield-ws-blocking-in-handler
// Newspaper press-room gateway: editors submit plates over WebSocket, the
// gateway drives the RIP (raster image processor) and the press controllers.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace pressroom {

struct Plate {
  std::string edition;
  int page = 0;
  std::string ink; // "CMYK" or "K"
};

// The RIP runs on its own threads; results come back as futures.
class RipQueue {
public:
  std::future<std::size_t> submit(Plate p) {
    auto task = std::make_shared<std::packaged_task<std::size_t()>>([p] {
      std::this_thread::sleep_for(50ms); // rasterising
      return static_cast<std::size_t>(p.page) * 4096;
    });
    auto fut = task->get_future();
    {
      std::lock_guard lk(mu_);
      jobs_.push_back([task] { (*task)(); });
    }
    cv_.notify_one();
    return fut;
  }

  void worker() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lk(mu_);
        cv_.wait(lk, [&] { return !jobs_.empty(); });
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
      std::this_thread::sleep_for(5ms); // let the RIP card cool between jobs
    }
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
};

// ---------------------------------------------------------------------------
class EditorSession : public std::enable_shared_from_this<EditorSession> {
public:
  EditorSession(tcp::socket s, RipQueue &rip, net::thread_pool &blocking)
      : ws_(std::move(s)), rip_(rip), blocking_(blocking), warmup_(ws_.get_executor()) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(1 << 20);
    ws_.async_accept(beast::bind_front_handler(&EditorSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    read();
  }

  void read() {
    ws_.async_read(buf_, beast::bind_front_handler(&EditorSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto j = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (j.is_discarded()) {
      std::string err = R"({"error":"bad json"})";
      ws_.write(net::buffer(err)); // expect: errorshield-ws-blocking-in-handler
      read();
      return;
    }
    Plate p{j.value("edition", ""), j.value("page", 0), j.value("ink", "CMYK")};

    if (p.ink == "CMYK") {
      // Four-colour plates need the RIP; wait for it on the blocking pool.
      auto fut = std::make_shared<std::future<std::size_t>>(rip_.submit(p));
      net::post(blocking_, [self = shared_from_this(), fut] {
        std::size_t bytes = fut->get();
        net::post(self->ws_.get_executor(), [self, bytes] { self->reply(bytes); });
      });
    } else {
      // Mono plates are small; the operator wanted "instant" feedback.
      auto fut = rip_.submit(p);
      net::post(ws_.get_executor(), [self = shared_from_this(), f = std::move(fut)]() mutable {
        self->reply(f.get()); // expect: errorshield-ws-blocking-in-handler
      });
    }
    read();
  }

  void reply(std::size_t bytes) {
    out_.push_back(json{{"rasterised", bytes}}.dump());
    if (out_.size() == 1)
      write_next();
  }

  void write_next() {
    ws_.async_write(net::buffer(out_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->out_.pop_front();
      if (!ec && !self->out_.empty())
        self->write_next();
    });
  }

public:
  // Called by the press line when the run starts.
  void schedule_warmup() {
    warmup_.expires_after(2s);
    warmup_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      // Blanket cylinders need a moment after the warm-up tick.
      std::this_thread::sleep_for(200ms); // expect: errorshield-ws-blocking-in-handler
      self->reply(0);
    });
  }

  void schedule_cooldown() {
    warmup_.expires_after(30s);
    warmup_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->reply(1);
    });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  RipQueue &rip_;
  net::thread_pool &blocking_;
  net::steady_timer warmup_;
  beast::flat_buffer buf_;
  std::deque<std::string> out_;
};

// ---------------------------------------------------------------------------
// Press controllers speak a line protocol on TCP 9100.
net::awaitable<void> send_to_press(std::string host, std::string job) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  auto eps = resolver.resolve(host, "9100"); // expect: errorshield-ws-blocking-in-handler
  tcp::socket press(ex);
  co_await net::async_connect(press, eps, net::use_awaitable);
  co_await net::async_write(press, net::buffer(job), net::use_awaitable);
}

net::awaitable<void> send_to_folder(std::string host, std::string job) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  auto eps = co_await resolver.async_resolve(host, "9100", net::use_awaitable);
  tcp::socket folder(ex);
  co_await net::async_connect(folder, eps, net::use_awaitable);
  co_await net::async_write(folder, net::buffer(job), net::use_awaitable);
  net::steady_timer settle(ex, 100ms);
  co_await settle.async_wait(net::use_awaitable);
}

// Ink-level polling from the plate-room controller, callback style.
template <class Executor>
void poll_ink(Executor ex, tcp::endpoint controller, std::shared_ptr<net::steady_timer> t) {
  t->expires_after(10s);
  t->async_wait([ex, controller, t](beast::error_code ec) {
    if (ec)
      return;
    auto s = std::make_shared<tcp::socket>(ex);
    s->connect(controller); // expect: errorshield-ws-blocking-in-handler
    net::async_write(*s, net::buffer("INK?\n", 5), [s](beast::error_code, std::size_t) {});
    poll_ink(ex, controller, t);
  });
}

} // namespace pressroom

int main() {
  using namespace pressroom;
  net::io_context ioc;
  net::thread_pool blocking(2);
  RipQueue rip;
  std::thread rip_worker([&rip] { rip.worker(); });

  // Startup self-test of the press link before we begin serving.
  {
    tcp::socket probe(ioc);
    beast::error_code ec;
    probe.connect({net::ip::make_address("10.0.4.21"), 9100}, ec);
    if (!ec)
      net::write(probe, net::buffer(std::string("PING\n")), ec);
    std::cout << "press link: " << (ec ? ec.message() : "ok") << "\n";
  }

  tcp::acceptor acc(ioc, {tcp::v4(), 8088});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await acc.async_accept(net::use_awaitable);
      auto sess = std::make_shared<EditorSession>(std::move(s), rip, blocking);
      sess->start();
      sess->schedule_warmup();
    }
  }, net::detached);
  net::co_spawn(ioc, send_to_press("press2.local", "PLATE A1\n"), net::detached);
  net::co_spawn(ioc, send_to_folder("folder1.local", "FOLD 48\n"), net::detached);
  poll_ink(ioc.get_executor(), {net::ip::make_address("10.0.4.30"), 9100},
           std::make_shared<net::steady_timer>(ioc));

  auto final_count = std::async(std::launch::async, [&ioc] { return ioc.run(); });
  std::cout << "handlers run: " << final_count.get() << "\n";
  rip_worker.detach();
  blocking.join();
}
