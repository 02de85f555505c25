// checks: errorshield-ws-handshake-origin
// Branch server for the self-checkout kiosks of a public library.
//  - kiosks stream barcode scans over a WebSocket (/scan)
//  - the circulation desk dashboard (browser) watches live checkouts (/desk)
//  - the returns sorter pushes bin-full alarms (/sorter)
#include <chrono>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

static const std::set<std::string, std::less<>> kDeskOrigins = {
    "https://desk.citylibrary.example",
    "https://desk-backup.citylibrary.example",
};

bool desk_origin_ok(std::string_view origin) { return kDeskOrigins.find(origin) != kDeskOrigins.end(); }

bool request_is_from_staff_ui(const http::request<http::string_body> &req) {
  if (req.target() != "/desk")
    return false;
  return desk_origin_ok(req[http::field::origin]);
}

void fail(beast::error_code ec, const char *what) { std::cerr << "[checkout] " << what << ": " << ec.message() << "\n"; }

json checkout_event(const std::string &barcode, const std::string &patron) {
  return {{"type", "checkout"},
          {"barcode", barcode},
          {"patron", patron},
          {"due", std::chrono::duration_cast<std::chrono::seconds>(
                      (std::chrono::system_clock::now() + std::chrono::hours(24 * 21)).time_since_epoch())
                      .count()}};
}

// Kiosk scan channel: kiosks connect straight to the WebSocket port.
class KioskSession : public std::enable_shared_from_this<KioskSession> {
public:
  explicit KioskSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&KioskSession::on_accept, shared_from_this())); // expect: errorshield-ws-handshake-origin
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return fail(ec, "kiosk accept");
    read_scan();
  }

  void read_scan() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return fail(ec, "kiosk read");
      auto scan = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (!scan.is_discarded())
        std::cout << checkout_event(scan.value("barcode", ""), scan.value("patron", "")).dump() << "\n";
      self->read_scan();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Circulation desk dashboard, coroutine style. The HTTP request is read first so
// the upgrade can be vetted before the WebSocket exists.
asio::awaitable<void> desk_session(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, asio::use_awaitable);
  if (!websocket::is_upgrade(req))
    co_return;

  if (!desk_origin_ok(req[http::field::origin])) {
    http::response<http::string_body> res{http::status::forbidden, req.version()};
    res.body() = "origin not allowed";
    res.prepare_payload();
    co_await http::async_write(stream, res, asio::use_awaitable);
    co_return;
  }

  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  co_await ws.async_accept(req, asio::use_awaitable);
  ws.text(true);
  co_await ws.async_write(asio::buffer(std::string(R"({"type":"hello","branch":"central"})")), asio::use_awaitable);
}

// Returns sorter alarms. The sorter firmware only sends GET /sorter.
asio::awaitable<void> sorter_session(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, asio::use_awaitable);
  if (!websocket::is_upgrade(req) || req.target() != "/sorter")
    co_return;

  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  co_await ws.async_accept(req, asio::use_awaitable); // expect: errorshield-ws-handshake-origin
  for (;;) {
    beast::flat_buffer msg;
    co_await ws.async_read(msg, asio::use_awaitable);
    std::cout << "[sorter] " << beast::buffers_to_string(msg.data()) << "\n";
  }
}

// Overdue-notice preview, opened from the staff intranet page.
template <class NextLayer>
class PreviewSession : public std::enable_shared_from_this<PreviewSession<NextLayer>> {
public:
  explicit PreviewSession(NextLayer layer) : ws_(std::move(layer)) {}

  void run(http::request<http::string_body> req) {
    req_ = std::move(req);
    std::clog << "[preview] upgrade from origin '" << req_[http::field::origin] << "' ua '"
              << req_[http::field::user_agent] << "'\n";
    ws_.async_accept(req_, [self = this->shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (ec)
        return fail(ec, "preview accept");
      self->ws_.text(true);
      self->ws_.write(asio::buffer(std::string(R"({"notices":[]})")));
    });
  }

private:
  websocket::stream<NextLayer> ws_;
  http::request<http::string_body> req_;
};

// Staff UI embedded in the desk page: vetted by the shared request check.
class StaffSession : public std::enable_shared_from_this<StaffSession> {
public:
  explicit StaffSession(beast::tcp_stream stream) : ws_(std::move(stream)) {}

  void run(http::request<http::string_body> req) {
    if (!request_is_from_staff_ui(req)) {
      beast::get_lowest_layer(ws_).close();
      return;
    }
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return fail(ec, "staff accept");
      std::cout << "[staff] dashboard attached\n";
    });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
};

// Self-test tool run by IT on the branch server itself; blocking on its own thread.
void selftest_listener(unsigned short port) {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {asio::ip::make_address("127.0.0.1"), port});
  for (;;) {
    websocket::stream<tcp::socket> ws(acc.accept());
    beast::error_code ec;
    ws.accept(ec); // expect: errorshield-ws-handshake-origin
    if (ec)
      continue;
    ws.text(true);
    ws.write(asio::buffer(std::string("selftest ok")), ec);
  }
}

// Maintenance console (vendor laptop on the branch LAN), also blocking.
bool accept_maintenance_console(websocket::stream<tcp::socket> &ws) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  beast::error_code ec;
  http::read(ws.next_layer(), buf, req, ec);
  if (ec || !websocket::is_upgrade(req))
    return false;
  auto origin = req.find(http::field::origin);
  if (origin == req.end() || origin->value() != "https://vendor-console.citylibrary.example")
    return false;
  ws.accept(req, ec);
  return !ec;
}

// Kiosks also pull the catalog hold list from the regional server (outbound).
asio::awaitable<void> pull_holds(asio::io_context &ioc, std::string host) {
  tcp::resolver resolver(ioc);
  auto results = co_await resolver.async_resolve(host, "80", asio::use_awaitable);
  websocket::stream<beast::tcp_stream> ws(ioc);
  co_await beast::get_lowest_layer(ws).async_connect(results, asio::use_awaitable);
  co_await ws.async_handshake(host, "/holds", asio::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, asio::use_awaitable);
  std::cout << "[holds] " << beast::buffers_to_string(buf.data()) << "\n";
}

// Front door: routes upgrades by target.
asio::awaitable<void> route(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, asio::use_awaitable);
  if (req.target() == "/staff")
    std::make_shared<StaffSession>(std::move(stream))->run(std::move(req));
  else if (req.target() == "/preview")
    std::make_shared<PreviewSession<beast::tcp_stream>>(std::move(stream))->run(std::move(req));
}

asio::awaitable<void> listen(tcp::acceptor acc, int which) {
  auto ex = co_await asio::this_coro::executor;
  for (;;) {
    tcp::socket sock = co_await acc.async_accept(asio::use_awaitable);
    if (which == 0)
      std::make_shared<KioskSession>(std::move(sock))->run();
    else if (which == 1)
      asio::co_spawn(ex, desk_session(std::move(sock)), asio::detached);
    else if (which == 2)
      asio::co_spawn(ex, sorter_session(std::move(sock)), asio::detached);
    else
      asio::co_spawn(ex, route(std::move(sock)), asio::detached);
  }
}

int main() {
  asio::io_context ioc;
  asio::co_spawn(ioc, listen(tcp::acceptor(ioc, {tcp::v4(), 8100}), 0), asio::detached);
  asio::co_spawn(ioc, listen(tcp::acceptor(ioc, {tcp::v4(), 8101}), 1), asio::detached);
  asio::co_spawn(ioc, listen(tcp::acceptor(ioc, {tcp::v4(), 8102}), 2), asio::detached);
  asio::co_spawn(ioc, listen(tcp::acceptor(ioc, {tcp::v4(), 8103}), 3), asio::detached);
  asio::co_spawn(ioc, pull_holds(ioc, "holds.region.example"), asio::detached);
  std::thread selftest(selftest_listener, 8199);
  ioc.run();
  selftest.join();
}
