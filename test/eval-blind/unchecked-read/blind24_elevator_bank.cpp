// checks: errorshield-unchecked-read
// Elevator bank controller link: car controllers connect over TCP and stream
// line-oriented status frames ("CAR 3 FLOOR 12 DOOR OPEN"), the lobby panel
// uses a WebSocket, and maintenance laptops pull a snapshot over HTTP.
#include <array>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

struct CarState {
  int floor = 0;
  bool door_open = false;
  std::string direction = "idle";
};

class BankState {
public:
  void apply(const std::string &line) {
    std::istringstream in(line);
    std::string tag, key, value;
    int car = 0;
    in >> tag >> car >> key >> value;
    std::lock_guard<std::mutex> lk(mu_);
    auto &c = cars_[car];
    if (key == "FLOOR")
      c.floor = std::stoi(value);
    else if (key == "DOOR")
      c.door_open = (value == "OPEN");
    else if (key == "DIR")
      c.direction = value;
  }

  json snapshot() const {
    std::lock_guard<std::mutex> lk(mu_);
    json j = json::object();
    for (const auto &[id, c] : cars_)
      j[std::to_string(id)] = {{"floor", c.floor}, {"door_open", c.door_open}, {"dir", c.direction}};
    return j;
  }

private:
  mutable std::mutex mu_;
  std::map<int, CarState> cars_;
};

inline void log_fail(beast::error_code ec, const char *what) {
  std::cerr << "[bank] " << what << ": " << ec.message() << "\n";
}

// Car controller link, callback style. Each controller keeps one socket open.
class CarLink : public std::enable_shared_from_this<CarLink> {
public:
  CarLink(tcp::socket sock, BankState &state) : sock_(std::move(sock)), state_(state) {}

  void start() { read_frame(); }

private:
  void read_frame() {
    auto self = shared_from_this();
    asio::async_read_until(sock_, buf_, '\n', [self](boost::system::error_code, std::size_t n) { // expect: errorshield-unchecked-read
      std::string line(asio::buffers_begin(self->buf_.data()), asio::buffers_begin(self->buf_.data()) + n);
      self->buf_.consume(n);
      self->state_.apply(line);
      self->read_frame();
    });
  }

  tcp::socket sock_;
  asio::streambuf buf_;
  BankState &state_;
};

// Heartbeat channel from the older relay cabinets: fixed 4-byte frames.
class RelayHeartbeat : public std::enable_shared_from_this<RelayHeartbeat> {
public:
  explicit RelayHeartbeat(tcp::socket sock) : sock_(std::move(sock)) {}

  void start() { next(); }

private:
  void next() {
    asio::async_read(sock_, asio::buffer(frame_),
                     [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                       if (ec == asio::error::eof) {
                         std::cerr << "[relay] cabinet hung up\n";
                         return;
                       }
                       if (ec)
                         return log_fail(ec, "relay read");
                       self->beats_++;
                       self->next();
                     });
  }

  tcp::socket sock_;
  std::array<std::uint8_t, 4> frame_{};
  std::uint64_t beats_ = 0;
};

// Lobby panel WebSocket: receives call-button presses, replies with the bank snapshot.
class LobbyPanel : public std::enable_shared_from_this<LobbyPanel> {
public:
  LobbyPanel(tcp::socket sock, BankState &state) : ws_(std::move(sock)), state_(state) {}

  void run() {
    ws_.async_accept(beast::bind_front_handler(&LobbyPanel::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return log_fail(ec, "panel accept");
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&LobbyPanel::on_read, shared_from_this())); // expect: errorshield-unchecked-read
  }

  void on_read(beast::error_code, std::size_t) {
    auto press = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (!press.is_discarded())
      std::cout << "[panel] hall call at floor " << press.value("floor", -1) << "\n";
    reply_ = state_.snapshot().dump();
    ws_.text(true);
    ws_.async_write(asio::buffer(reply_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return log_fail(ec, "panel write");
      self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::string reply_;
  BankState &state_;
};

// Maintenance laptops: one HTTP request per connection, answered with JSON.
template <class Stream>
void serve_maintenance(std::shared_ptr<Stream> stream, BankState &state) {
  auto buf = std::make_shared<beast::flat_buffer>();
  auto req = std::make_shared<http::request<http::string_body>>();
  http::async_read(*stream, *buf, *req, [stream, buf, req, &state](beast::error_code, std::size_t) { // expect: errorshield-unchecked-read
    auto res = std::make_shared<http::response<http::string_body>>(http::status::ok, req->version());
    res->set(http::field::content_type, "application/json");
    res->body() = state.snapshot().dump();
    res->prepare_payload();
    http::async_write(*stream, *res, [stream, res](beast::error_code, std::size_t) {});
  });
}

// Newer controllers speak the same line protocol; this path uses coroutines.
asio::awaitable<void> car_session(tcp::socket sock, BankState &state) {
  asio::streambuf buf;
  for (;;) {
    auto [ec, n] = co_await asio::async_read_until(sock, buf, '\n', asio::as_tuple(asio::use_awaitable)); // expect: errorshield-unchecked-read
    std::string line(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + n);
    buf.consume(n);
    state.apply(line);
  }
}

// Diagnostics port: same protocol, but the loop ends when the controller hangs up.
asio::awaitable<void> diag_session(tcp::socket sock, BankState &state) {
  asio::streambuf buf;
  for (;;) {
    auto [ec, n] = co_await asio::async_read_until(sock, buf, '\n', asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec != asio::error::eof)
        log_fail(ec, "diag read");
      co_return;
    }
    std::istream is(&buf);
    std::string line;
    std::getline(is, line);
    state.apply(line);
  }
}

// Firmware probe (exceptions propagate to co_spawn's completion handler).
asio::awaitable<void> firmware_probe(tcp::socket sock) {
  std::array<char, 64> banner{};
  std::size_t n = co_await sock.async_read_some(asio::buffer(banner), asio::use_awaitable);
  std::cout << "[probe] firmware: " << std::string(banner.data(), n) << "\n";
}

asio::awaitable<void> connect_and_probe(asio::io_context &ioc, std::string host) {
  tcp::socket probe(ioc);
  co_await probe.async_connect({asio::ip::make_address(host), 7000}, asio::use_awaitable);
  co_await firmware_probe(std::move(probe));
}

// Blocking read of the 8-byte car id announcement on the commissioning port.
std::uint64_t read_car_id(tcp::socket &sock) {
  std::array<std::uint8_t, 8> raw{};
  boost::system::error_code ec;
  asio::read(sock, asio::buffer(raw), ec); // expect: errorshield-unchecked-read
  std::uint64_t id = 0;
  for (auto b : raw)
    id = (id << 8) | b;
  return id;
}

// Same announcement on the spare port, with the error handled.
bool read_spare_id(tcp::socket &sock, std::uint64_t &id) {
  std::array<std::uint8_t, 8> raw{};
  boost::system::error_code ec;
  asio::read(sock, asio::buffer(raw), ec);
  if (ec) {
    log_fail(ec, "spare id");
    return false;
  }
  id = 0;
  for (auto b : raw)
    id = (id << 8) | b;
  return true;
}

enum class LinkKind { car, relay, panel, maintenance, car_v2, diag };

class BankListener {
public:
  BankListener(asio::io_context &ioc, BankState &state, unsigned short port, LinkKind kind)
      : ioc_(ioc), acceptor_(ioc, {tcp::v4(), port}), state_(state), kind_(kind) {}

  void start() { accept(); }

private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket sock) {
      if (ec)
        return log_fail(ec, "accept");
      switch (kind_) {
      case LinkKind::car: std::make_shared<CarLink>(std::move(sock), state_)->start(); break;
      case LinkKind::relay: std::make_shared<RelayHeartbeat>(std::move(sock))->start(); break;
      case LinkKind::panel: std::make_shared<LobbyPanel>(std::move(sock), state_)->run(); break;
      case LinkKind::maintenance: serve_maintenance(std::make_shared<tcp::socket>(std::move(sock)), state_); break;
      case LinkKind::car_v2: asio::co_spawn(ioc_, car_session(std::move(sock), state_), asio::detached); break;
      case LinkKind::diag: asio::co_spawn(ioc_, diag_session(std::move(sock), state_), asio::detached); break;
      }
      accept();
    });
  }

  asio::io_context &ioc_;
  tcp::acceptor acceptor_;
  BankState &state_;
  LinkKind kind_;
};

int main() {
  asio::io_context ioc;
  BankState state;
  BankListener cars(ioc, state, 7400, LinkKind::car);
  BankListener relays(ioc, state, 7401, LinkKind::relay);
  BankListener panel(ioc, state, 7402, LinkKind::panel);
  BankListener maint(ioc, state, 7403, LinkKind::maintenance);
  BankListener cars_v2(ioc, state, 7404, LinkKind::car_v2);
  BankListener diag(ioc, state, 7405, LinkKind::diag);
  for (auto *l : {&cars, &relays, &panel, &maint, &cars_v2, &diag})
    l->start();
  asio::co_spawn(ioc, connect_and_probe(ioc, "10.0.0.40"), asio::detached);
  ioc.run();
}
