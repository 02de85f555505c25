// checks: errorshield-unchecked-read
// Kitchen display system (KDS) order feed.
//
// POS terminals POST new tickets over HTTP/1.1 keep-alive; each cook-line screen holds a
// WebSocket on which it receives tickets and sends "bump" messages when a dish is done.
// Expo stations also have a USB bump bar exposed as a character device.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

struct Ticket {
  std::uint64_t id = 0;
  std::string table;
  std::vector<std::string> items;
  std::string station;  // "grill", "fry", "cold", "expo"
};

class TicketRouter {
 public:
  void route(const Ticket& t);
  void bump(std::uint64_t ticket_id, const std::string& station);
  void recall_last(const std::string& station);
};

static Ticket ticket_from_json(const json& j) {
  Ticket t;
  t.id = j.at("id").get<std::uint64_t>();
  t.table = j.value("table", "");
  t.items = j.value("items", std::vector<std::string>{});
  t.station = j.value("station", "expo");
  return t;
}

// ---------------------------------------------------------------------------
// POS ingest over HTTP.
class PosConnection : public std::enable_shared_from_this<PosConnection> {
 public:
  PosConnection(tcp::socket s, TicketRouter& r) : stream_(std::move(s)), router_(r) {}

  void start() { read_request(); }

 private:
  void read_request() {
    req_ = {};
    http::async_read(stream_, buffer_, req_, beast::bind_front_handler(&PosConnection::on_request, shared_from_this()));  // OK
  }

  void on_request(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    if (ec) {
      std::cerr << "pos read: " << ec.message() << '\n';
      return;
    }
    json body = json::parse(req_.body(), nullptr, false);
    http::response<http::string_body> res{http::status::accepted, req_.version()};
    if (body.is_discarded() || !body.contains("id")) {
      res.result(http::status::bad_request);
    } else {
      router_.route(ticket_from_json(body));
    }
    res.keep_alive(req_.keep_alive());
    res.prepare_payload();
    auto sp = std::make_shared<http::response<http::string_body>>(std::move(res));
    http::async_write(stream_, *sp, [self = shared_from_this(), sp](beast::error_code, std::size_t) {  // OK: write, not a read
      self->read_request();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  TicketRouter& router_;
};

// Older POS firmware sends a "void ticket" request on a second keep-alive connection.
class PosVoidConnection : public std::enable_shared_from_this<PosVoidConnection> {
 public:
  PosVoidConnection(tcp::socket s, TicketRouter& r) : stream_(std::move(s)), router_(r) {}

  void start() {
    req_ = {};
    http::async_read(stream_, buffer_, req_, [self = shared_from_this()](beast::error_code, std::size_t) {  // expect: errorshield-unchecked-read
      json body = json::parse(self->req_.body(), nullptr, false);
      if (!body.is_discarded() && body.contains("station"))
        self->router_.recall_last(body["station"].get<std::string>());
      self->start();
    });
  }

 private:
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  TicketRouter& router_;
};

// ---------------------------------------------------------------------------
// Cook-line screens.
struct Station {
  std::string name;
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer inbox;
  Station(std::string n, tcp::socket s) : name(std::move(n)), ws(std::move(s)) {}
};

void handle_bump_message(TicketRouter& router, Station& st) {
  json msg = json::parse(beast::buffers_to_string(st.inbox.data()), nullptr, false);
  st.inbox.consume(st.inbox.size());
  if (!msg.is_discarded() && msg.value("type", "") == "bump")
    router.bump(msg.value("ticket", std::uint64_t{0}), st.name);
}

void station_read(std::shared_ptr<Station> station, TicketRouter& router) {
  station->ws.async_read(station->inbox, [station, &router](beast::error_code ec, std::size_t) {  // expect: errorshield-unchecked-read
    if (!ec) handle_bump_message(router, *station);
    station_read(station, router);  // re-armed even after the screen went away
  });
}

void station_read_fixed(std::shared_ptr<Station> station, TicketRouter& router) {
  station->ws.async_read(station->inbox, [station, &router](beast::error_code ec, std::size_t) {  // OK
    if (ec) {
      if (ec != websocket::error::closed) std::cerr << station->name << ": " << ec.message() << '\n';
      return;
    }
    handle_bump_message(router, *station);
    station_read_fixed(station, router);
  });
}

// Coroutine flavour used by the new expo screen firmware.
asio::awaitable<void> expo_screen(std::shared_ptr<Station> st, TicketRouter& router) {
  for (;;) {
    auto [ec, n] = co_await st->ws.async_read(st->inbox, asio::as_tuple(asio::use_awaitable));  // OK
    if (ec == websocket::error::closed || ec == asio::error::eof) co_return;
    if (ec) {
      std::cerr << "expo: " << ec.message() << '\n';
      co_return;
    }
    handle_bump_message(router, *st);
  }
}

// ---------------------------------------------------------------------------
// Blocking poller for the legacy pass-through screen (runs on its own thread).
void legacy_screen_loop(websocket::stream<tcp::socket>& ws, TicketRouter& router, std::atomic<bool>& running) {
  beast::flat_buffer buf;
  while (running.load()) {
    beast::error_code ec;
    ws.read(buf, ec);  // expect: errorshield-unchecked-read
    if (buf.size() == 0) continue;
    json msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (!msg.is_discarded() && msg.contains("ticket")) router.bump(msg["ticket"].get<std::uint64_t>(), "legacy");
  }
}

// ---------------------------------------------------------------------------
// USB bump bar: one byte per key press.
class BumpBar {
 public:
  BumpBar(const char* dev, std::string station, TicketRouter& r)
      : fd_(::open(dev, O_RDONLY)), station_(std::move(station)), router_(r) {}
  ~BumpBar() {
    if (fd_ >= 0) ::close(fd_);
  }

  void poll_forever() {
    unsigned char key = 0;
    for (;;) {
      ::read(fd_, &key, 1);  // expect: errorshield-unchecked-read
      dispatch(key);
    }
  }

  void poll_checked() {
    unsigned char key = 0;
    for (;;) {
      ssize_t r = ::read(fd_, &key, 1);  // OK
      if (r == 0) break;
      if (r < 0) {
        if (errno == EINTR) continue;
        std::perror("bump bar");
        break;
      }
      dispatch(key);
    }
  }

 private:
  void dispatch(unsigned char key) {
    if (key == 'B') router_.bump(0, station_);
    else if (key == 'R') router_.recall_last(station_);
  }

  int fd_;
  std::string station_;
  TicketRouter& router_;
};

// ---------------------------------------------------------------------------
// Offline spool: tickets written by the POS while the network was down.
template <class Stream>
void drain_spool(Stream& spool, TicketRouter& router) {
  std::string line;
  for (;;) {
    std::getline(spool, line);  // expect: errorshield-unchecked-read
    if (line.empty()) continue;
    json j = json::parse(line, nullptr, false);
    if (!j.is_discarded()) router.route(ticket_from_json(j));
    line.clear();
  }
}

void replay_spool_file(const std::string& path, TicketRouter& router) {
  std::ifstream in(path);
  drain_spool(in, router);
}

std::size_t count_spooled(const std::string& path) {
  std::ifstream in(path);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);)  // OK
    if (!line.empty()) ++n;
  return n;
}
