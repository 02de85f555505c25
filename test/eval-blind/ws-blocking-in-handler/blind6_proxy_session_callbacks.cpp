// checks: errorshield-ws-blocking-in-handler
// WebSocket-to-backend proxy: browser sessions on one io_context, a legacy
// line-protocol backend, a thread pool for slow work.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

struct Shared {
  std::mutex mu;
  std::unordered_map<std::string, int> counters;
  std::condition_variable cv;
  bool ready = false;
};

std::string render_report(const std::string &id); // CPU heavy, runs on pool
int expensive_score(const json &j);

class ProxySession : public std::enable_shared_from_this<ProxySession> {
public:
  ProxySession(tcp::socket s, tcp::socket &backend, net::thread_pool &pool, Shared &sh)
      : ws_(std::move(s)), backend_(backend), pool_(pool), sh_(sh), timer_(ws_.get_executor()) {}

  void start() {
    ws_.async_accept(beast::bind_front_handler(&ProxySession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    read();
  }

  void read() {
    ws_.async_read(buf_, beast::bind_front_handler(&ProxySession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    json req = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    const std::string op = req.value("op", "");

    if (op == "throttle") {
      // Crude rate limit: parks the whole I/O thread.
      std::this_thread::sleep_for(std::chrono::milliseconds(req.value("ms", 50))); // expect: errorshield-ws-blocking-in-handler
      read();
    } else if (op == "legacy") {
      forward_legacy_sync(req.value("line", ""));
    } else if (op == "report") {
      offload_report(req.value("id", ""));
    } else if (op == "score") {
      score_async(req);
    } else if (op == "count") {
      bump_counter(req.value("key", ""));
      read();
    } else if (op == "later") {
      // Non-blocking delay: timer instead of sleep.
      timer_.expires_after(std::chrono::milliseconds(req.value("ms", 50)));
      timer_.async_wait([self = shared_from_this()](beast::error_code) { self->read(); });
    } else {
      read();
    }
  }

  // Synchronous round trip to the backend from inside the read handler.
  void forward_legacy_sync(const std::string &line) {
    net::write(backend_, net::buffer(line + "\n")); // expect: errorshield-ws-blocking-in-handler
    net::streambuf sb;
    net::read_until(backend_, sb, '\n'); // expect: errorshield-ws-blocking-in-handler
    reply_ = std::string(net::buffers_begin(sb.data()), net::buffers_end(sb.data()));
    ws_.async_write(net::buffer(reply_), [self = shared_from_this()](beast::error_code, std::size_t) {
      self->read();
    });
  }

  // Slow work goes to the pool; blocking there is fine. Result is posted back.
  void offload_report(const std::string &id) {
    net::post(pool_, [self = shared_from_this(), id] {
      std::string r = render_report(id);
      std::ifstream tmpl("/etc/proxy/report_footer.txt");
      std::string footer((std::istreambuf_iterator<char>(tmpl)), std::istreambuf_iterator<char>());
      net::post(self->ws_.get_executor(), [self, out = r + footer]() mutable {
        self->reply_ = std::move(out);
        self->ws_.async_write(net::buffer(self->reply_),
                              [self](beast::error_code, std::size_t) { self->read(); });
      });
    });
  }

  // Launches work on another thread, then waits for it right here.
  void score_async(const json &req) {
    std::future<int> f = std::async(std::launch::async, [req] { return expensive_score(req); });
    int score = f.get(); // expect: errorshield-ws-blocking-in-handler
    reply_ = json{{"score", score}}.dump();
    ws_.async_write(net::buffer(reply_), [self = shared_from_this()](beast::error_code, std::size_t) {
      self->read();
    });
  }

  // Short critical section: a lock_guard around a map update is not a blocking wait.
  void bump_counter(const std::string &key) {
    std::lock_guard<std::mutex> lk(sh_.mu);
    ++sh_.counters[key];
    sh_.ready = true;
    sh_.cv.notify_one();
  }

  websocket::stream<beast::tcp_stream> ws_;
  tcp::socket &backend_;
  net::thread_pool &pool_;
  Shared &sh_;
  net::steady_timer timer_;
  beast::flat_buffer buf_;
  std::string reply_;
};

// Periodic stats flush driven by a timer on the I/O context.
class StatsFlusher : public std::enable_shared_from_this<StatsFlusher> {
public:
  StatsFlusher(net::io_context &ioc, Shared &sh) : timer_(ioc), sh_(sh) {}

  void arm() {
    timer_.expires_after(std::chrono::seconds(10));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->on_tick();
    });
  }

private:
  void on_tick() {
    std::unique_lock<std::mutex> lk(sh_.mu);
    // Waits for a producer to flip `ready`, inside a timer handler.
    sh_.cv.wait(lk, [this] { return sh_.ready; }); // expect: errorshield-ws-blocking-in-handler
    sh_.ready = false;
    lk.unlock();
    arm();
  }

  net::steady_timer timer_;
  Shared &sh_;
};

// Poll a future that a pool task fills: get() only after wait_for(0) says ready.
class ConfigPoller : public std::enable_shared_from_this<ConfigPoller> {
public:
  ConfigPoller(net::io_context &ioc, std::future<json> f) : timer_(ioc), fut_(std::move(f)) {}

  void arm() {
    timer_.expires_after(std::chrono::milliseconds(250));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      if (self->fut_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
        self->config_ = self->fut_.get();
        return;
      }
      self->arm();
    });
  }

private:
  net::steady_timer timer_;
  std::future<json> fut_;
  json config_;
};

// Dedicated worker thread (not an I/O handler): blocking waits are its job.
void counter_dumper(Shared &sh) {
  std::unique_lock<std::mutex> lk(sh.mu);
  sh.cv.wait(lk, [&] { return sh.ready; });
}

int main() {
  net::io_context ioc;
  net::thread_pool pool(4);
  Shared sh;

  // Setup before run(): synchronous connect and sleep are fine here.
  tcp::socket backend(ioc);
  backend.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), 7000));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  std::thread dumper(counter_dumper, std::ref(sh));
  std::make_shared<StatsFlusher>(ioc, sh)->arm();

  std::thread io([&ioc] { ioc.run(); });
  io.join();
  dumper.join();
  pool.join();
}
