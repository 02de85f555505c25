// checks: errorshield-ws-message-limit
// Volunteer rota service: coordinators and volunteers connect over WebSocket to
// claim shifts, swap shifts and receive rota updates.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace rota {

constexpr std::size_t kMaxShiftMessage = 32 * 1024;

struct Shift {
  std::string id;
  std::string volunteer;
  std::string slot;
};

class RotaBook {
public:
  json apply(const json &cmd) {
    std::lock_guard<std::mutex> lk(mu_);
    const auto op = cmd.value("op", std::string{});
    if (op == "claim") {
      auto &s = shifts_[cmd.at("shift").get<std::string>()];
      s.id = cmd.at("shift").get<std::string>();
      s.volunteer = cmd.at("volunteer").get<std::string>();
      return {{"ok", true}, {"shift", s.id}};
    }
    if (op == "release") {
      shifts_.erase(cmd.at("shift").get<std::string>());
      return {{"ok", true}};
    }
    return {{"ok", false}, {"error", "unknown op"}};
  }

private:
  std::mutex mu_;
  std::map<std::string, Shift> shifts_;
};

// Volunteer-facing session (phones, mostly small messages).
class VolunteerSession : public std::enable_shared_from_this<VolunteerSession> {
public:
  VolunteerSession(tcp::socket sock, RotaBook &book)
      : ws_(std::move(sock)), book_(book) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&VolunteerSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&VolunteerSession::on_read, shared_from_this())); // expect: errorshield-ws-message-limit
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto reply = book_.apply(json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false));
    buffer_.consume(buffer_.size());
    out_ = reply.dump();
    ws_.async_write(asio::buffer(out_), [self = shared_from_this()](beast::error_code e, std::size_t) {
      if (!e)
        self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::string out_;
  RotaBook &book_;
};

// Coordinator session: same protocol but coordinators can upload whole weeks.
class CoordinatorSession : public std::enable_shared_from_this<CoordinatorSession> {
public:
  CoordinatorSession(tcp::socket sock, RotaBook &book)
      : ws_(std::move(sock)), book_(book) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(256 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->do_read();
    });
  }

private:
  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->book_.apply(json::parse(beast::buffers_to_string(self->buffer_.data()), nullptr, false));
      self->buffer_.consume(self->buffer_.size());
      self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  RotaBook &book_;
};

// Bulk import of historical rotas from the admin tool.
asio::awaitable<void> import_session(tcp::socket sock, RotaBook &book) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  // admins paste exported spreadsheets, don't cut them off
  ws.read_message_max(0); // expect: errorshield-ws-message-limit
  co_await ws.async_accept(asio::use_awaitable);
  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, asio::use_awaitable);
    book.apply(json::parse(beast::buffers_to_string(buf.data()), nullptr, false));
  }
}

// Shift-swap negotiation, one message per request.
asio::awaitable<void> swap_session(tcp::socket sock, RotaBook &book) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(kMaxShiftMessage);
  co_await ws.async_accept(asio::use_awaitable);
  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, asio::use_awaitable);
    auto reply = book.apply(json::parse(beast::buffers_to_string(buf.data()), nullptr, false));
    co_await ws.async_write(asio::buffer(reply.dump()), asio::use_awaitable);
  }
}

// Calendar feed, served by a dedicated thread for the legacy kiosk screens.
void kiosk_feed(tcp::socket sock, RotaBook &book) {
  beast::error_code ec;
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(ec);
  if (ec)
    return;
  for (;;) {
    beast::flat_buffer buf;
    ws.read(buf, ec); // expect: errorshield-ws-message-limit
    if (ec)
      break;
    auto reply = book.apply(json::parse(beast::buffers_to_string(buf.data()), nullptr, false));
    ws.write(asio::buffer(reply.dump()), ec);
    if (ec)
      break;
  }
}

// Generic helper used by the test harness and the TLS front end.
template <class NextLayer>
void configure_stream(websocket::stream<NextLayer> &ws, bool trusted) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  if (trusted)
    ws.read_message_max(std::numeric_limits<std::size_t>::max()); // expect: errorshield-ws-message-limit
  else
    ws.read_message_max(kMaxShiftMessage);
}

template <class NextLayer>
void serve_one(websocket::stream<NextLayer> &ws, RotaBook &book) {
  configure_stream(ws, false);
  ws.accept();
  beast::flat_buffer buf;
  ws.read(buf);
  auto reply = book.apply(json::parse(beast::buffers_to_string(buf.data()), nullptr, false));
  ws.write(asio::buffer(reply.dump()));
}

// Upgrade path for browsers that first hit the HTTP landing page.
asio::awaitable<void> browser_session(tcp::socket sock, RotaBook &book) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, asio::use_awaitable);
  if (!websocket::is_upgrade(req))
    co_return;
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  ws.read_message_max(kMaxShiftMessage);
  co_await ws.async_accept(req, asio::use_awaitable);
  for (;;) {
    beast::flat_buffer msg;
    co_await ws.async_read(msg, asio::use_awaitable);
    book.apply(json::parse(beast::buffers_to_string(msg.data()), nullptr, false));
  }
}

asio::awaitable<void> listen(tcp::acceptor acc, RotaBook &book, bool imports) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
    auto ex = acc.get_executor();
    if (imports)
      asio::co_spawn(ex, import_session(std::move(s), book), asio::detached);
    else
      asio::co_spawn(ex, swap_session(std::move(s), book), asio::detached);
  }
}

} // namespace rota

int main() {
  asio::io_context ioc;
  rota::RotaBook book;
  asio::co_spawn(ioc, rota::listen(tcp::acceptor(ioc, {tcp::v4(), 9301}), book, false), asio::detached);
  asio::co_spawn(ioc, rota::listen(tcp::acceptor(ioc, {tcp::v4(), 9302}), book, true), asio::detached);
  asio::co_spawn(ioc,
                 [&]() -> asio::awaitable<void> {
                   tcp::acceptor acc(ioc, {tcp::v4(), 9303});
                   for (;;) {
                     auto s = co_await acc.async_accept(asio::use_awaitable);
                     asio::co_spawn(ioc, rota::browser_session(std::move(s), book), asio::detached);
                   }
                 },
                 asio::detached);

  tcp::acceptor vol(ioc, {tcp::v4(), 9304});
  vol.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<rota::VolunteerSession>(std::move(s), book)->run();
  });
  tcp::acceptor coord(ioc, {tcp::v4(), 9305});
  coord.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<rota::CoordinatorSession>(std::move(s), book)->run();
  });

  asio::io_context kiosk_ioc;
  tcp::acceptor kiosk(kiosk_ioc, {tcp::v4(), 9306});
  std::thread kiosk_thread([&] {
    rota::kiosk_feed(kiosk.accept(), book);
  });

  websocket::stream<tcp::socket> probe(ioc);
  if (std::getenv("ROTA_SELFTEST"))
    rota::serve_one(probe, book);

  ioc.run();
  kiosk_thread.join();
}
