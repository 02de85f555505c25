// checks: errorshield-ws-blocking-in-handler
// Stadium turnstile feed: gate controllers push scan events over WebSocket, the
// server validates tickets against the ticketing service and fans gate counts out
// to the operations dashboards.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <memory>
#include <string>
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

namespace turnstile {

enum class Verdict { admit, reject, unknown };

// Talks to the ticketing backend with plain blocking HTTP. Meant to be used from
// the validation thread pool only.
class TicketValidator {
public:
  TicketValidator(std::string host, std::string port) : host_(std::move(host)), port_(std::move(port)) {}

  Verdict check(std::string const& barcode) {
    net::io_context local;
    tcp::resolver resolver{local};
    beast::tcp_stream stream{local};
    stream.connect(resolver.resolve(host_, port_));
    http::request<http::string_body> req{http::verb::get, "/v1/tickets/" + barcode, 11};
    req.set(http::field::host, host_);
    http::write(stream, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(stream, buf, res);
    if (res.result() == http::status::ok)
      return Verdict::admit;
    return res.result() == http::status::not_found ? Verdict::reject : Verdict::unknown;
  }

private:
  std::string host_;
  std::string port_;
};

class AuditLog {
public:
  explicit AuditLog(char const* path) : fd_(::open(path, O_WRONLY | O_CREAT | O_APPEND, 0640)) {}
  ~AuditLog() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  int fd() const { return fd_; }

private:
  int fd_;
};

// Loaded once at startup, before io_context::run(): blocking file read is fine here.
std::map<std::string, int> load_gate_map(std::string const& path) {
  std::ifstream in(path);
  json j = json::parse(in, nullptr, false);
  std::map<std::string, int> gates;
  if (j.is_object())
    for (auto& [k, v] : j.items())
      gates[k] = v.get<int>();
  return gates;
}

class GateSession : public std::enable_shared_from_this<GateSession> {
public:
  GateSession(tcp::socket sock, TicketValidator* validator, net::thread_pool& pool, AuditLog& audit)
      : ws_(std::move(sock)), validator_(validator), pool_(pool), audit_(audit),
        retry_timer_(ws_.get_executor()) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->do_read();
    });
  }

private:
  void do_read() {
    buf_.clear();
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->on_read(ec, n);
    });
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed)
      return;
    if (ec == beast::error::timeout)
      return backoff_then_read();
    if (ec) {
      if (++errors_ > 5)
        return;
      std::this_thread::sleep_for(200ms); // expect: errorshield-ws-blocking-in-handler
      return do_read();
    }
    errors_ = 0;
    json ev = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    if (ev.is_discarded())
      return do_read();

    std::string type = ev.value("type", "");
    if (type == "scan") {
      std::string code = ev.value("barcode", "");
      if (ev.value("priority", false)) {
        // VIP lane: validated inline "because it's only a handful of scans"
        Verdict v = validator_->check(code); // expect: errorshield-ws-blocking-in-handler
        send_verdict(code, v);
      } else {
        validate_offloaded(code);
      }
    } else if (type == "jam") {
      std::string line = "jam gate=" + ev.value("gate", std::string("?")) + "\n";
      ::write(audit_.fd(), line.data(), line.size()); // expect: errorshield-ws-blocking-in-handler
    }
    do_read();
  }

  // OK: the blocking validator runs on the dedicated pool, result posted back.
  void validate_offloaded(std::string code) {
    net::post(pool_, [self = shared_from_this(), code = std::move(code)] {
      Verdict v = self->validator_->check(code);
      net::post(self->ws_.get_executor(), [self, code, v] { self->send_verdict(code, v); });
    });
  }

  // OK: asynchronous back-off variant used for handshake failures.
  void backoff_then_read() {
    retry_timer_.expires_after(200ms);
    retry_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->do_read();
    });
  }

  void send_verdict(std::string const& code, Verdict v) {
    auto msg = std::make_shared<std::string>(
        json{{"barcode", code}, {"verdict", v == Verdict::admit ? "admit" : "reject"}}.dump());
    ws_.async_write(net::buffer(*msg), [self = shared_from_this(), msg](beast::error_code, std::size_t) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  TicketValidator* validator_;
  net::thread_pool& pool_;
  AuditLog& audit_;
  net::steady_timer retry_timer_;
  beast::flat_buffer buf_;
  int errors_ = 0;
};

// Periodic flush of the audit log, driven by a timer on the io_context.
class AuditFlusher {
public:
  AuditFlusher(net::io_context& ioc, AuditLog& log) : timer_(ioc), log_(log) {}

  void arm() {
    timer_.expires_after(5s);
    timer_.async_wait([this](beast::error_code ec) {
      if (ec)
        return;
      ::fsync(log_.fd()); // expect: errorshield-ws-blocking-in-handler
      arm();
    });
  }

private:
  net::steady_timer timer_;
  AuditLog& log_;
};

// Operations dashboard: snapshot on connect, then a gate-count push every second.
net::awaitable<void> dashboard_session(websocket::stream<beast::tcp_stream> ws,
                                       std::shared_ptr<std::atomic<int>> admitted) {
  co_await ws.async_accept(net::use_awaitable);
  ws.text(true);

  std::string snapshot = json{{"kind", "snapshot"}, {"admitted", admitted->load()}}.dump();
  ws.write(net::buffer(snapshot)); // expect: errorshield-ws-blocking-in-handler

  net::steady_timer tick{co_await net::this_coro::executor};
  for (;;) {
    tick.expires_after(1s);
    co_await tick.async_wait(net::use_awaitable);
    std::string frame = json{{"kind", "count"}, {"admitted", admitted->load()}}.dump();
    co_await ws.async_write(net::buffer(frame), net::use_awaitable);
  }
}

// Test harness thread that replays recorded scans; not on the io_context.
void start_replay_thread(std::atomic<bool>& running, std::shared_ptr<std::atomic<int>> admitted) {
  std::thread([&running, admitted] {
    while (running.load()) {
      std::this_thread::sleep_for(50ms);
      admitted->fetch_add(1);
    }
  }).detach();
}

void run_dashboard_listener(net::io_context& ioc, tcp::acceptor& acc,
                            std::shared_ptr<std::atomic<int>> admitted) {
  acc.async_accept([&ioc, &acc, admitted](beast::error_code ec, tcp::socket sock) {
    if (!ec) {
      net::co_spawn(ioc,
                    dashboard_session(websocket::stream<beast::tcp_stream>(std::move(sock)), admitted),
                    net::detached);
    }
    run_dashboard_listener(ioc, acc, admitted);
  });
}

} // namespace turnstile
