// checks: errorshield-unchecked-read
// Ice rink booking gateway: HTTP booking API plus a WebSocket feed of live
// slot availability for the front desk tablets and the Zamboni crew.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace rink {

struct Slot {
  int sheet = 0;          // which ice sheet (A/B/C as 0/1/2)
  std::string starts_at;  // ISO-8601
  int minutes = 60;
  std::string booked_by;
};

static void log_fail(beast::error_code ec, const char* what) {
  std::cerr << "[rink] " << what << ": " << ec.message() << '\n';
}

static bool read_ok(beast::error_code ec, const char* what) {
  if (!ec) return true;
  if (ec != websocket::error::closed && ec != http::error::end_of_stream)
    log_fail(ec, what);
  return false;
}

json handle_booking(const json& body);

// ---------------------------------------------------------------------------
// Live availability feed (front desk tablets)
// ---------------------------------------------------------------------------
class AvailabilityFeed : public std::enable_shared_from_this<AvailabilityFeed> {
 public:
  explicit AvailabilityFeed(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return log_fail(ec, "accept");
      self->read_next();
    });
  }

 private:
  void read_next() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code, std::size_t) { // expect: errorshield-unchecked-read
      auto text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      self->on_tablet_message(text);
      self->read_next();
    });
  }

  void on_tablet_message(const std::string& text) {
    auto msg = json::parse(text, nullptr, false);
    if (msg.is_discarded()) return;
    if (msg.value("type", "") == "ping") push(json{{"type", "pong"}}.dump());
  }

  void push(std::string payload) {
    out_ = std::move(payload);
    ws_.text(true);
    // a write, not a read: the result is irrelevant for a best-effort pong
    ws_.async_write(asio::buffer(out_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::string out_;
};

// ---------------------------------------------------------------------------
// Zamboni crew channel: same feed, but the tablet in the resurfacer cab
// ---------------------------------------------------------------------------
class CrewChannel : public std::enable_shared_from_this<CrewChannel> {
 public:
  explicit CrewChannel(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    ws_.async_accept(beast::bind_front_handler(&CrewChannel::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return log_fail(ec, "crew accept");
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { // OK
      if (!read_ok(ec, "crew read")) return;
      self->on_crew_update();
      self->do_read();
    });
  }

  void on_crew_update() {
    auto msg = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (!msg.is_discarded() && msg.contains("sheet"))
      std::cout << "[rink] resurfacing sheet " << msg["sheet"].get<int>() << " done\n";
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// ---------------------------------------------------------------------------
// HTTP booking API (coach and public skate bookings)
// ---------------------------------------------------------------------------
class BookingHttp : public std::enable_shared_from_this<BookingHttp> {
 public:
  explicit BookingHttp(tcp::socket sock) : stream_(std::move(sock)) {}

  void start() { do_read(); }

 private:
  void do_read() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(15));
    http::async_read(stream_, buffer_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec == http::error::end_of_stream) return self->close();
                       if (ec) return log_fail(ec, "http read");
                       self->respond();
                     });
  }

  void respond() {
    auto res = std::make_shared<http::response<http::string_body>>(http::status::ok, req_.version());
    res->set(http::field::content_type, "application/json");
    res->body() = handle_booking(json::parse(req_.body(), nullptr, false)).dump();
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec) return log_fail(ec, "http write");
      if (res->keep_alive()) self->do_read();
      else self->close();
    });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

// Legacy kiosk in the lobby still speaks plain blocking HTTP on its own port.
void serve_kiosk(tcp::socket sock) {
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    beast::error_code ec;
    http::read(sock, buf, req, ec); // expect: errorshield-unchecked-read
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.body() = handle_booking(json::parse(req.body(), nullptr, false)).dump();
    res.prepare_payload();
    http::write(sock, res, ec);
    if (ec || !res.keep_alive()) break;
  }
}

// Referee tablet uses the throwing overloads inside a try block.
void serve_referee(tcp::socket sock) {
  try {
    websocket::stream<tcp::socket> ws(std::move(sock));
    ws.accept();
    beast::flat_buffer buf;
    for (;;) {
      ws.read(buf); // OK: throws on EOF / error
      std::cout << "[rink] ref: " << beast::buffers_to_string(buf.data()) << '\n';
      buf.clear();
    }
  } catch (const beast::system_error& e) {
    if (e.code() != websocket::error::closed) std::cerr << "[rink] ref: " << e.what() << '\n';
  }
}

// Coroutine feed used by the scoreboard controller.
asio::awaitable<void> scoreboard_loop(websocket::stream<beast::tcp_stream> ws) {
  beast::flat_buffer buf;
  beast::error_code ec;
  co_await ws.async_accept(asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  for (;;) {
    co_await ws.async_read(buf, asio::redirect_error(asio::use_awaitable, ec)); // expect: errorshield-unchecked-read
    auto update = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (update.is_discarded()) continue;
    std::cout << "[rink] scoreboard period " << update.value("period", 0) << '\n';
  }
}

// Same controller on the second sheet, written after the incident report.
asio::awaitable<void> scoreboard_loop_b(websocket::stream<beast::tcp_stream> ws) {
  beast::flat_buffer buf;
  beast::error_code ec;
  co_await ws.async_accept(asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  for (;;) {
    co_await ws.async_read(buf, asio::redirect_error(asio::use_awaitable, ec)); // OK
    if (ec) co_return;
    std::cout << "[rink] sheet B: " << beast::buffers_to_string(buf.data()) << '\n';
    buf.consume(buf.size());
  }
}

// ---------------------------------------------------------------------------
// Ice schedule files
// ---------------------------------------------------------------------------
std::vector<Slot> load_schedule(const std::string& path) {
  std::vector<Slot> slots;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) { // OK: loop stops on EOF / failure
    auto j = json::parse(line, nullptr, false);
    if (j.is_discarded()) continue;
    slots.push_back(Slot{j.value("sheet", 0), j.value("start", ""), j.value("minutes", 60), ""});
  }
  return slots;
}

std::string read_maintenance_note(const char* path) {
  int fd = ::open(path, O_RDONLY);
  if (fd < 0) return {};
  std::string note;
  char chunk[512];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk); // OK
    if (n <= 0) break;
    note.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return note;
}

// Only used when the resurfacer reports a blade fault (a few times a season).
std::string read_fault_code(const char* dev_path) {
  char code[16] = {};
  int fd = ::open(dev_path, O_RDONLY | O_NONBLOCK);
  if (fd < 0) return "unknown";
  ::read(fd, code, sizeof code - 1); // expect: errorshield-unchecked-read
  ::close(fd);
  return std::string(code);
}

json handle_booking(const json& body) {
  if (body.is_discarded() || !body.contains("sheet")) return json{{"ok", false}};
  if (body.value("fault", false)) return json{{"ok", false}, {"fault", read_fault_code("/dev/zamboni0")}};
  return json{{"ok", true}, {"sheet", body["sheet"]}, {"note", read_maintenance_note("/var/rink/note")}};
}

}  // namespace rink
