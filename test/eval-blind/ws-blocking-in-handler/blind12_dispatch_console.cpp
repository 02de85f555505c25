// checks: errorshield-ws-blocking-in-handler
// Radio dispatch console: dispatcher browsers connect over WebSocket, push-to-talk
// and channel patch commands go to the radio gateway over a serial line, and
// emergency activations are reported to the CAD system.
#include <boost/asio.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <fcntl.h>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <termios.h>
#include <thread>
#include <unistd.h>
#include <utility>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace dispatch {

// Serial link to the radio gateway. Frames queued by the consoles are written by a
// dedicated transmitter thread, so blocking writes never touch the io_context.
class RadioGateway {
public:
  explicit RadioGateway(char const* tty) : fd_(::open(tty, O_RDWR | O_NOCTTY)) {
    tx_ = std::thread([this] { tx_loop(); });
  }
  ~RadioGateway() {
    {
      std::lock_guard lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    tx_.join();
    ::close(fd_);
  }

  void enqueue(std::string frame) {
    {
      std::lock_guard lk(mu_);
      q_.push_back(std::move(frame));
    }
    cv_.notify_one();
  }

  // Synchronous key-up: writes the PTT frame and waits for the UART to drain.
  void key_up(int channel) {
    std::string frame = "PTT " + std::to_string(channel) + " ON\r";
    ::write(fd_, frame.data(), frame.size());
    ::tcdrain(fd_);
  }

  int fd() const { return fd_; }

private:
  void tx_loop() {
    std::unique_lock lk(mu_);
    while (!stop_) {
      cv_.wait(lk, [this] { return stop_ || !q_.empty(); });
      while (!q_.empty()) {
        std::string f = std::move(q_.front());
        q_.pop_front();
        lk.unlock();
        ::write(fd_, f.data(), f.size());
        ::tcdrain(fd_);
        lk.lock();
      }
    }
  }

  int fd_;
  std::thread tx_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> q_;
  bool stop_ = false;
};

struct CadConfig {
  std::string host = "cad.county.example";
  std::string port = "8080";
};

struct ConsoleContext {
  RadioGateway& radio;
  CadConfig cad;
  net::thread_pool& blocking_pool;
};

// One dispatcher console, coroutine style.
net::awaitable<void> console_session(websocket::stream<beast::tcp_stream> ws, ConsoleContext& ctx) {
  auto ex = co_await net::this_coro::executor;
  co_await ws.async_accept(net::use_awaitable);
  net::steady_timer squelch{ex};
  tcp::resolver resolver{ex};

  beast::flat_buffer buf;
  for (;;) {
    buf.clear();
    co_await ws.async_read(buf, net::use_awaitable);
    json cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    if (cmd.is_discarded())
      continue;
    std::string op = cmd.value("op", "");
    int ch = cmd.value("channel", 0);

    if (op == "ptt_down") {
      ctx.radio.key_up(ch); // expect: errorshield-ws-blocking-in-handler
    } else if (op == "ptt_up") {
      ctx.radio.enqueue("PTT " + std::to_string(ch) + " OFF\r");
      // squelch tail before releasing the floor
      squelch.expires_after(250ms);
      co_await squelch.async_wait(net::use_awaitable);
    } else if (op == "patch") {
      ctx.radio.enqueue("PATCH " + std::to_string(ch) + " " +
                        std::to_string(cmd.value("to", 0)) + "\r");
      std::this_thread::sleep_for(100ms); // expect: errorshield-ws-blocking-in-handler
    } else if (op == "cad_lookup") {
      auto eps = resolver.resolve(ctx.cad.host, ctx.cad.port); // expect: errorshield-ws-blocking-in-handler
      beast::tcp_stream cad{ex};
      co_await cad.async_connect(eps, net::use_awaitable);
      http::request<http::empty_body> req{http::verb::get, "/units/" + std::to_string(ch), 11};
      req.set(http::field::host, ctx.cad.host);
      co_await http::async_write(cad, req, net::use_awaitable);
      beast::flat_buffer cbuf;
      http::response<http::string_body> res;
      co_await http::async_read(cad, cbuf, res, net::use_awaitable);
      co_await ws.async_write(net::buffer(res.body()), net::use_awaitable);
    } else if (op == "cad_lookup_v2") {
      auto eps = co_await resolver.async_resolve(ctx.cad.host, ctx.cad.port, net::use_awaitable);
      std::string reply = json{{"endpoints", eps.size()}}.dump();
      co_await ws.async_write(net::buffer(reply), net::use_awaitable);
    } else if (op == "ptt_down_safe") {
      // OK: blocking key-up runs on the blocking pool, not on the io_context.
      net::post(ctx.blocking_pool, [&radio = ctx.radio, ch] { radio.key_up(ch); });
    }
  }
}

// Callback-style console used by the legacy supervisor desk.
class SupervisorDesk : public std::enable_shared_from_this<SupervisorDesk> {
public:
  SupervisorDesk(tcp::socket sock, tcp::socket cad_link, RadioGateway& radio, CadConfig cad)
      : ws_(std::move(sock)), radio_(radio), cad_(std::move(cad)),
        serial_(ws_.get_executor(), ::dup(radio.fd())), cad_sock_(std::move(cad_link)) {
    on_emergency_ = [this](int unit) {
      http::request<http::string_body> req{http::verb::post, "/emergencies", 11};
      req.set(http::field::host, cad_.host);
      req.body() = json{{"unit", unit}, {"source", "supervisor"}}.dump();
      req.prepare_payload();
      http::write(cad_sock_, req); // expect: errorshield-ws-blocking-in-handler
    };
  }

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read();
    });
  }

private:
  void read() {
    buf_.clear();
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == websocket::error::closed)
        return;
      if (ec) {
        // desk dropped mid-transmission: unkey everything so the channel isn't stuck open
        static constexpr char kUnkeyAll[] = "PTT * OFF\r";
        ::write(self->radio_.fd(), kUnkeyAll, sizeof(kUnkeyAll) - 1); // expect: errorshield-ws-blocking-in-handler
        return;
      }
      self->handle(json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false));
      self->read();
    });
  }

  void handle(json const& msg) {
    if (!msg.is_object())
      return;
    std::string op = msg.value("op", "");
    if (op == "emergency") {
      on_emergency_(msg.value("unit", 0));
    } else if (op == "all_call") {
      // OK: async write on the serial descriptor.
      auto frame = std::make_shared<std::string>("ALLCALL ON\r");
      net::async_write(serial_, net::buffer(*frame),
                       [frame](beast::error_code, std::size_t) {});
    } else if (op == "tone") {
      radio_.enqueue("TONE " + std::to_string(msg.value("channel", 0)) + "\r");
    }
  }

  websocket::stream<beast::tcp_stream> ws_;
  RadioGateway& radio_;
  CadConfig cad_;
  net::posix::stream_descriptor serial_;
  tcp::socket cad_sock_;
  beast::flat_buffer buf_;
  std::function<void(int)> on_emergency_;
};

// Startup only, before the io_context runs: blocking connect to CAD is fine here.
tcp::socket connect_cad_blocking(net::io_context& ioc, CadConfig const& cad) {
  tcp::socket s{ioc};
  tcp::resolver r{ioc};
  net::connect(s, r.resolve(cad.host, cad.port));
  return s;
}

// Called from main() before ioc.run(): the single supervisor desk is accepted synchronously.
void start_supervisor_desk(net::io_context& ioc, tcp::acceptor& desk_acc, RadioGateway& radio,
                           CadConfig const& cad) {
  tcp::socket desk_sock = desk_acc.accept();
  auto link = connect_cad_blocking(ioc, cad);
  std::make_shared<SupervisorDesk>(std::move(desk_sock), std::move(link), radio, cad)->start();
}

void serve(net::io_context& ioc, tcp::acceptor& acc, ConsoleContext& ctx) {
  acc.async_accept([&ioc, &acc, &ctx](beast::error_code ec, tcp::socket sock) {
    if (!ec)
      net::co_spawn(ioc, console_session(websocket::stream<beast::tcp_stream>(std::move(sock)), ctx),
                    net::detached);
    serve(ioc, acc, ctx);
  });
}

} // namespace dispatch
