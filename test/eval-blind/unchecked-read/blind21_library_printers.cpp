// checks: errorshield-unchecked-read
// Library print release: patrons queue jobs from the catalogue PCs, walk to
// a release station, badge in, and the station pulls their jobs from here.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <unistd.h>
#include <cstdint>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using asio::awaitable;
using asio::use_awaitable;

struct PrintJob {
  std::string patron;
  std::string document;
  int pages = 0;
  bool colour = false;
};

class JobQueue {
public:
  void push(PrintJob j) { jobs_[j.patron].push_back(std::move(j)); }
  std::deque<PrintJob> take(const std::string &patron) {
    auto it = jobs_.find(patron);
    if (it == jobs_.end())
      return {};
    auto out = std::move(it->second);
    jobs_.erase(it);
    return out;
  }

private:
  std::map<std::string, std::deque<PrintJob>> jobs_;
};

bool report(beast::error_code ec, const char *what) {
  if (!ec)
    return false;
  if (ec != websocket::error::closed && ec != asio::error::eof)
    std::cerr << what << ": " << ec.message() << "\n";
  return true;
}

// Release station: one WebSocket per station, badge scans arrive as text.
class StationSession : public std::enable_shared_from_this<StationSession> {
public:
  StationSession(tcp::socket s, JobQueue &q) : ws_(std::move(s)), queue_(q) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!report(ec, "accept"))
        self->read_pin();
    });
  }

private:
  // Stations are unlocked with the staff PIN before they accept badges.
  void read_pin() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (report(ec, "pin"))
        return;
      self->buf_.consume(self->buf_.size());
      self->read_badge();
    });
  }

  void read_badge() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code, std::size_t) { // expect: errorshield-unchecked-read
      self->on_badge();
      self->read_badge();
    });
  }

  void on_badge() {
    std::string badge = beast::buffers_to_string(buf_.data());
    buf_.consume(buf_.size());
    json reply = json::array();
    for (const auto &j : queue_.take(badge))
      reply.push_back({{"doc", j.document}, {"pages", j.pages}, {"colour", j.colour}});
    ws_.text(true);
    ws_.write(asio::buffer(reply.dump()));
  }

  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buf_;
  JobQueue &queue_;
};

// Stations on the newer firmware talk over a coroutine session.
awaitable<void> station_coro(websocket::stream<tcp::socket> ws, JobQueue &queue) {
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, asio::as_tuple(use_awaitable)); // expect: errorshield-unchecked-read
    std::string badge = beast::buffers_to_string(buf.data());
    buf.consume(n);
    auto jobs = queue.take(badge);
    co_await ws.async_write(asio::buffer(std::to_string(jobs.size())), use_awaitable);
  }
}

// Same firmware, admin console variant: errors surface as exceptions.
awaitable<void> admin_coro(websocket::stream<tcp::socket> ws, JobQueue &queue) {
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, asio::as_tuple(use_awaitable));
    if (ec == websocket::error::closed)
      co_return;
    if (ec)
      throw boost::system::system_error(ec);
    json cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(n);
    if (!cmd.is_discarded() && cmd.value("op", "") == "purge")
      queue.take(cmd.value("patron", ""));
  }
}

awaitable<void> submit_coro(tcp::socket sock, JobQueue &queue) {
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    co_await http::async_read(sock, buf, req, use_awaitable);
    json j = json::parse(req.body(), nullptr, false);
    if (!j.is_discarded())
      queue.push({j.value("patron", ""), j.value("doc", ""), j.value("pages", 1), j.value("colour", false)});
    http::response<http::empty_body> res{http::status::accepted, req.version()};
    co_await http::async_write(sock, res, use_awaitable);
    if (!req.keep_alive())
      co_return;
  }
}

// Legacy catalogue PCs submit jobs over a blocking HTTP connection.
void legacy_submit_thread(tcp::socket sock, JobQueue &queue) {
  beast::flat_buffer buf;
  beast::error_code ec;
  for (;;) {
    http::request<http::string_body> req;
    http::read(sock, buf, req, ec); // expect: errorshield-unchecked-read
    json j = json::parse(req.body(), nullptr, false);
    if (!j.is_discarded())
      queue.push({j.value("patron", ""), j.value("doc", ""), j.value("pages", 1), false});
    http::response<http::empty_body> res{http::status::accepted, 11};
    http::write(sock, res, ec);
  }
}

// Coin-op card readers hang off a serial line exposed as a file descriptor.
void card_reader_loop(int fd, JobQueue &queue) {
  char line[64];
  for (;;) {
    ssize_t n = ::read(fd, line, sizeof line - 1); // expect: errorshield-unchecked-read
    line[n] = '\0';
    queue.take(line);
  }
}

void badge_reader_loop(int fd, JobQueue &queue) {
  char line[64];
  for (;;) {
    ssize_t n = ::read(fd, line, sizeof line - 1);
    if (n <= 0) {
      ::close(fd);
      return;
    }
    line[n] = '\0';
    queue.take(line);
  }
}

// Toner level telemetry from the printers themselves, newline framed.
template <class Socket>
class TonerFeed {
public:
  explicit TonerFeed(Socket s) : sock_(std::move(s)) {}

  void start() {
    asio::async_read_until(sock_, buf_, '\n', [this](boost::system::error_code ec, std::size_t n) { // expect: errorshield-unchecked-read
      std::istream is(&buf_);
      std::string level;
      std::getline(is, level);
      levels_ += n;
      start();
    });
  }

  void start_checked() {
    asio::async_read_until(sock_, buf_, '\n', [this](boost::system::error_code ec, std::size_t) {
      if (ec) {
        sock_.close();
        return;
      }
      std::istream is(&buf_);
      std::string level;
      std::getline(is, level);
      start_checked();
    });
  }

private:
  Socket sock_;
  asio::streambuf buf_;
  std::size_t levels_ = 0;
};

int main() {
  asio::io_context ioc;
  JobQueue queue;
  tcp::acceptor stations(ioc, {tcp::v4(), 9100});
  stations.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<StationSession>(std::move(s), queue)->start();
  });
  tcp::socket mono_sock(ioc), colour_sock(ioc);
  mono_sock.connect({asio::ip::make_address("10.4.0.21"), 9300});
  colour_sock.connect({asio::ip::make_address("10.4.0.22"), 9300});
  TonerFeed<tcp::socket> mono(std::move(mono_sock));
  TonerFeed<tcp::socket> colour(std::move(colour_sock));
  mono.start();
  colour.start_checked();
  asio::co_spawn(ioc, submit_coro(tcp::socket(ioc), queue), asio::detached);
  ioc.run();
}
