// checks: errorshield-unchecked-read
// Refill notification service: the pharmacy management system (PMS) posts
// "refill ready" events over HTTP, nightly batch files are imported from disk,
// and patients' apps receive pushes over WebSocket and send back read receipts.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <sys/eventfd.h>
#include <unistd.h>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace refill {

struct RefillReady {
  std::string rx_number;
  std::string patient_id;
  std::string store_id;
  std::string pickup_by;
};

class NotificationQueue {
public:
  void push(RefillReady r) {
    std::lock_guard lk(mu_);
    q_.push_back(std::move(r));
  }
  bool pop(RefillReady &out) {
    std::lock_guard lk(mu_);
    if (q_.empty())
      return false;
    out = std::move(q_.front());
    q_.pop_front();
    return true;
  }

private:
  std::mutex mu_;
  std::deque<RefillReady> q_;
};

inline bool ok(const beast::error_code &ec, const char *what) {
  if (!ec)
    return true;
  if (ec != http::error::end_of_stream && ec != websocket::error::closed)
    std::fprintf(stderr, "[refill] %s: %s\n", what, ec.message().c_str());
  return false;
}

inline RefillReady from_json(const json &j) {
  return RefillReady{j.at("rx").get<std::string>(), j.at("patient").get<std::string>(),
                     j.at("store").get<std::string>(), j.value("pickup_by", "")};
}

// --- PMS intake over HTTP -------------------------------------------------

class PmsIntakeSession : public std::enable_shared_from_this<PmsIntakeSession> {
public:
  PmsIntakeSession(tcp::socket s, NotificationQueue &q) : stream_(std::move(s)), q_(q) {}
  void start() { read(); }

private:
  void read() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(20));
    http::async_read(stream_, buf_, req_, beast::bind_front_handler(&PmsIntakeSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (!ok(ec, "pms read"))
      return;
    res_ = {};
    res_.version(req_.version());
    res_.keep_alive(req_.keep_alive());
    try {
      q_.push(from_json(json::parse(req_.body())));
      res_.result(http::status::accepted);
    } catch (const std::exception &) {
      res_.result(http::status::bad_request);
    }
    res_.prepare_payload();
    http::async_write(stream_, res_,
                      [self = shared_from_this()](beast::error_code wec, std::size_t) {
                        if (!wec && self->res_.keep_alive())
                          self->read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::empty_body> res_;
  NotificationQueue &q_;
};

// Older store kiosks still post to a separate port with a simplified session.
class KioskIntakeSession : public std::enable_shared_from_this<KioskIntakeSession> {
public:
  KioskIntakeSession(tcp::socket s, NotificationQueue &q) : stream_(std::move(s)), q_(q) {}
  void start() { read(); }

private:
  void read() {
    req_ = {};
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code, std::size_t) { // expect: errorshield-unchecked-read
      self->handle();
    });
  }

  void handle() {
    auto body = json::parse(req_.body(), nullptr, false);
    if (!body.is_discarded() && body.contains("rx"))
      q_.push(from_json(body));
    auto res = std::make_shared<http::response<http::empty_body>>(http::status::no_content,
                                                                   req_.version());
    res->keep_alive(true);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                        if (ec)
                          return;
                        self->read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  NotificationQueue &q_;
};

// --- Nightly batch import ------------------------------------------------

// Newline-delimited JSON export from the PMS.
inline std::size_t import_ndjson(const std::string &path, NotificationQueue &q) {
  std::ifstream in(path);
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    auto j = json::parse(line, nullptr, false);
    if (j.is_discarded())
      continue;
    q.push(from_json(j));
    ++n;
  }
  return n;
}

// Fixed-width records (128 bytes) from the legacy wholesaler feed; the
// trailer record starts with 'Z'.
inline std::size_t import_fixed_width(const std::string &path, NotificationQueue &q) {
  std::ifstream in(path, std::ios::binary);
  std::array<char, 128> rec{};
  std::size_t n = 0;
  for (;;) {
    in.read(rec.data(), rec.size()); // expect: errorshield-unchecked-read
    if (rec[0] == 'Z')
      break;
    RefillReady r;
    r.rx_number.assign(rec.data(), 12);
    r.patient_id.assign(rec.data() + 12, 16);
    r.store_id.assign(rec.data() + 28, 6);
    q.push(std::move(r));
    ++n;
  }
  return n;
}

// --- Wake-up from the batch importer thread ---------------------------

class Waker {
public:
  Waker() : fd_(::eventfd(0, EFD_CLOEXEC)) {}
  ~Waker() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  void signal() {
    std::uint64_t one = 1;
    if (::write(fd_, &one, sizeof one) < 0)
      std::perror("eventfd write");
  }
  bool consume(std::uint64_t &count) {
    const ssize_t got = ::read(fd_, &count, sizeof count);
    return got == static_cast<ssize_t>(sizeof count);
  }

private:
  int fd_;
};

// --- Patient app pushes and read receipts -----------------------------

template <class WsStream, class OnMessage>
void read_next(WsStream &ws, beast::flat_buffer &buf, OnMessage on_message) {
  ws.async_read(buf, [&buf, on_message](beast::error_code, std::size_t) mutable { // expect: errorshield-unchecked-read
    on_message(beast::buffers_to_string(buf.data()));
    buf.consume(buf.size());
  });
}

class PatientSession : public std::enable_shared_from_this<PatientSession> {
public:
  explicit PatientSession(websocket::stream<beast::tcp_stream> ws) : ws_(std::move(ws)) {}

  void start() { wait_receipt(); }

private:
  void wait_receipt() {
    read_next(ws_, buf_, [self = shared_from_this()](std::string msg) {
      self->receipts_.push_back(std::move(msg));
      self->wait_receipt();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::vector<std::string> receipts_;
};

// Caregiver app: coroutine session, receipts only.
inline net::awaitable<void> caregiver_receipts(websocket::stream<beast::tcp_stream> &ws,
                                               std::function<void(std::string)> on_receipt) {
  beast::error_code ec;
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::redirect_error(net::use_awaitable, ec)); // expect: errorshield-unchecked-read
    on_receipt(beast::buffers_to_string(buf.data()));
    buf.consume(buf.size());
  }
}

// Pharmacist console: same loop, ends when the console goes away.
inline net::awaitable<void> pharmacist_receipts(websocket::stream<beast::tcp_stream> &ws,
                                                std::function<void(std::string)> on_receipt) {
  beast::error_code ec;
  beast::flat_buffer buf;
  for (;;) {
    const std::size_t n = co_await ws.async_read(buf, net::redirect_error(net::use_awaitable, ec));
    if (!ok(ec, "pharmacist read"))
      co_return;
    on_receipt(beast::buffers_to_string(buf.data()));
    buf.consume(n);
  }
}

} // namespace refill
