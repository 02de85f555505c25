// checks: errorshield-ws-handshake-origin
// Pharmacy prescription queue: waiting-room displays show "ready for pickup"
// numbers, dispensing staff push status changes from their consoles.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <iostream>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace {

constexpr std::array<std::string_view, 2> kStaffOrigins = {
    "https://dispensary.pharmacy.local", "https://dispensary-backup.pharmacy.local"};

bool allowed_staff_origin(const http::request<http::string_body> &req) {
  auto origin = req[http::field::origin];
  for (auto o : kStaffOrigins)
    if (origin == o)
      return true;
  return false;
}

void send_forbidden(beast::tcp_stream &stream, const http::request<http::string_body> &req) {
  http::response<http::string_body> res{http::status::forbidden, req.version()};
  res.set(http::field::content_type, "text/plain");
  res.body() = "origin not allowed";
  res.prepare_payload();
  beast::error_code ec;
  http::write(stream, res, ec);
}

struct QueueBoard {
  std::mutex mu;
  std::vector<int> ready;
  json snapshot() {
    std::lock_guard<std::mutex> lk(mu);
    return json{{"ready", ready}};
  }
};

} // namespace

// ---------------------------------------------------------------------------
// Waiting-room display screens.
class DisplaySession : public std::enable_shared_from_this<DisplaySession> {
public:
  DisplaySession(tcp::socket s, QueueBoard &board) : ws_(std::move(s)), board_(board) {}

  void run() {
    http::async_read(ws_.next_layer(), buf_, req_,
                     beast::bind_front_handler(&DisplaySession::on_request, shared_from_this()));
  }

private:
  void on_request(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    if (!websocket::is_upgrade(req_))
      return;
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(req_, beast::bind_front_handler(&DisplaySession::on_accept, shared_from_this())); // expect: errorshield-ws-handshake-origin
  }

  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    out_ = board_.snapshot().dump();
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  std::string out_;
  QueueBoard &board_;
};

// ---------------------------------------------------------------------------
// Dispensing staff consoles: these can mark prescriptions ready.
class StaffSession : public std::enable_shared_from_this<StaffSession> {
public:
  StaffSession(tcp::socket s, QueueBoard &board) : ws_(std::move(s)), board_(board) {}

  void run() {
    http::async_read(ws_.next_layer(), buf_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec)
                         self->on_request();
                     });
  }

private:
  void on_request() {
    if (!websocket::is_upgrade(req_) || !allowed_staff_origin(req_)) {
      send_forbidden(ws_.next_layer(), req_);
      return;
    }
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_loop();
    });
  }

  void read_loop() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      auto msg = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (msg.is_object() && msg.contains("ready")) {
        std::lock_guard<std::mutex> lk(self->board_.mu);
        self->board_.ready.push_back(msg["ready"].get<int>());
      }
      self->read_loop();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  QueueBoard &board_;
};

// ---------------------------------------------------------------------------
// Pharmacist tablet app (coroutines). Tablets connect straight to /tablet.
net::awaitable<void> tablet_session(tcp::socket sock, QueueBoard &board) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable); // expect: errorshield-ws-handshake-origin
  co_await ws.async_write(net::buffer(board.snapshot().dump()), net::use_awaitable);
}

net::awaitable<void> kiosk_session(tcp::socket sock, QueueBoard &board) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);

  auto origin = req[http::field::origin];
  if (origin != "https://kiosk.pharmacy.local") {
    send_forbidden(stream, req);
    co_return;
  }
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable);
  co_await ws.async_write(net::buffer(board.snapshot().dump()), net::use_awaitable);
}

// Insurance-lookup widget embedded in the pharmacy's public site.
net::awaitable<void> widget_session(tcp::socket sock, QueueBoard &board) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  std::clog << "widget connect from origin=" << req[http::field::origin]
            << " ua=" << req[http::field::user_agent] << "\n";
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable); // expect: errorshield-ws-handshake-origin
  co_await ws.async_write(net::buffer(board.snapshot().dump()), net::use_awaitable);
}

// ---------------------------------------------------------------------------
// Legacy queue ticket printer: blocking, one thread on the back-office box.
void legacy_printer_loop(tcp::acceptor &acc, QueueBoard &board) {
  for (;;) {
    tcp::socket sock = acc.accept();
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    http::read(sock, buf, req);
    if (req.target() != "/printer")
      continue;
    websocket::stream<tcp::socket> ws(std::move(sock));
    ws.accept(req); // expect: errorshield-ws-handshake-origin
    ws.write(net::buffer(board.snapshot().dump()));
  }
}

// Outbound: we mirror the queue to the head-office dashboard.
void mirror_to_head_office(net::io_context &ioc, QueueBoard &board) {
  tcp::resolver resolver(ioc);
  websocket::stream<tcp::socket> ws(ioc);
  net::connect(ws.next_layer(), resolver.resolve("hq.pharmacy.local", "8080"));
  ws.handshake("hq.pharmacy.local", "/mirror");
  ws.write(net::buffer(board.snapshot().dump()));
  ws.close(websocket::close_code::normal);
}

// ---------------------------------------------------------------------------
net::awaitable<void> listen(tcp::acceptor acc, QueueBoard &board) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(net::use_awaitable);
    auto port = acc.local_endpoint().port();
    if (port == 9001)
      std::make_shared<DisplaySession>(std::move(s), board)->run();
    else if (port == 9002)
      std::make_shared<StaffSession>(std::move(s), board)->run();
    else if (port == 9003)
      net::co_spawn(acc.get_executor(), tablet_session(std::move(s), board), net::detached);
    else if (port == 9004)
      net::co_spawn(acc.get_executor(), kiosk_session(std::move(s), board), net::detached);
    else
      net::co_spawn(acc.get_executor(), widget_session(std::move(s), board), net::detached);
  }
}

int main() {
  net::io_context ioc;
  QueueBoard board;
  for (unsigned short port : {9001, 9002, 9003, 9004, 9005})
    net::co_spawn(ioc, listen(tcp::acceptor(ioc, {tcp::v4(), port}), board), net::detached);
  tcp::acceptor legacy(ioc, {tcp::v4(), 9010});
  std::thread printer([&] { legacy_printer_loop(legacy, board); });
  ioc.run();
  printer.join();
}
