// checks: errorshield-ws-handshake-origin
// Hospital pager gateway: pushes code-blue / lab-critical alerts to on-call
// phones (PWA), nurse-station consoles, ward wall boards and bedside devices.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace pager {

struct OriginPolicy {
  std::set<std::string, std::less<>> allowed;

  bool allows(std::string_view origin) const {
    return !origin.empty() && allowed.find(origin) != allowed.end();
  }
};

inline void log_line(std::string_view tag, std::string_view msg) {
  std::clog << "[pager:" << tag << "] " << msg << '\n';
}

inline bool upgrade_permitted(http::request<http::string_body> const &req, OriginPolicy const &policy) {
  if (!websocket::is_upgrade(req))
    return false;
  return policy.allows(req[http::field::origin]);
}

template <class SyncStream>
void reject_upgrade(SyncStream &stream, http::request<http::string_body> const &req, std::string_view why) {
  http::response<http::string_body> res{http::status::forbidden, req.version()};
  res.set(http::field::content_type, "text/plain");
  res.keep_alive(false);
  res.body() = std::string(why);
  res.prepare_payload();
  beast::error_code ec;
  http::write(stream, res, ec);
}

json make_hello(std::string_view role) {
  return json{{"type", "hello"}, {"role", role}, {"ts", std::chrono::system_clock::now().time_since_epoch().count()}};
}

// On-call phone app. Origin is validated before the upgrade completes.
class OnCallSession : public std::enable_shared_from_this<OnCallSession> {
public:
  OnCallSession(tcp::socket sock, OriginPolicy const &policy) : ws_(std::move(sock)), policy_(policy) {}

  void run() {
    http::async_read(ws_.next_layer(), buffer_, req_,
                     beast::bind_front_handler(&OnCallSession::on_request, shared_from_this()));
  }

private:
  void on_request(beast::error_code ec, std::size_t) {
    if (ec)
      return log_line("oncall", ec.message());
    if (!websocket::is_upgrade(req_))
      return reject_upgrade(ws_.next_layer(), req_, "websocket required");
    if (!policy_.allows(req_[http::field::origin])) {
      log_line("oncall", "rejected origin " + std::string(req_[http::field::origin]));
      return reject_upgrade(ws_.next_layer(), req_, "origin not allowed");
    }
    ws_.async_accept(req_, beast::bind_front_handler(&OnCallSession::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec)
      return log_line("oncall", ec.message());
    hello_ = make_hello("oncall").dump();
    ws_.text(true);
    ws_.async_write(net::buffer(hello_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  OriginPolicy const &policy_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  std::string hello_;
};

// Nurse-station console. The origin ends up in the audit log, nowhere else.
class NurseStationSession : public std::enable_shared_from_this<NurseStationSession> {
public:
  explicit NurseStationSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    http::async_read(ws_.next_layer(), buffer_, req_,
                     beast::bind_front_handler(&NurseStationSession::on_request, shared_from_this()));
  }

private:
  void on_request(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto origin = req_[http::field::origin];
    log_line("station", "upgrade origin=" + std::string(origin) + " ward=" + std::string(req_.target()));
    if (!websocket::is_upgrade(req_))
      return reject_upgrade(ws_.next_layer(), req_, "websocket required");
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type &res) { res.set(http::field::server, "pager-gw/3.2"); }));
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (!ec)
        log_line("station", "console connected");
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

// Bedside monitors speak WebSocket directly; they never send a browser Origin,
// so the listener lets Beast read the handshake itself.
void serve_bedside_device(tcp::socket sock, std::function<void(json const &)> on_vitals) {
  websocket::stream<tcp::socket> ws{std::move(sock)};
  ws.accept(); // expect: errorshield-ws-handshake-origin
  beast::flat_buffer buf;
  beast::error_code ec;
  while (!ec) {
    ws.read(buf, ec);
    if (ec)
      break;
    on_vitals(json::parse(beast::buffers_to_string(buf.data()), nullptr, false));
    buf.consume(buf.size());
  }
}

// Pharmacy system subscribes to medication alerts (sync, one thread per port).
void serve_pharmacy_feed(tcp::socket sock, OriginPolicy const &policy) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  beast::error_code ec;
  http::read(sock, buf, req, ec);
  if (ec)
    return;
  if (!upgrade_permitted(req, policy)) {
    reject_upgrade(sock, req, "forbidden");
    return;
  }
  websocket::stream<tcp::socket> ws{std::move(sock)};
  ws.accept(req, ec);
  if (ec)
    log_line("pharmacy", ec.message());
}

// Ward wall board: read-only display of open alerts.
void serve_wall_board(tcp::socket sock, OriginPolicy const &policy) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  http::read(sock, buf, req);
  websocket::stream<tcp::socket> ws{std::move(sock)};
  ws.accept(req); // expect: errorshield-ws-handshake-origin
  if (!policy.allows(req[http::field::origin])) {
    ws.close(websocket::close_code::policy_error);
    return;
  }
  ws.text(true);
  ws.write(net::buffer(make_hello("wallboard").dump()));
}

// Escalation console for the charge nurse, coroutine based.
net::awaitable<void> escalation_console(tcp::socket sock, OriginPolicy const &policy) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  if (!websocket::is_upgrade(req))
    co_return;

  bool const trusted = policy.allows(req[http::field::origin]);
  std::string const tag = trusted ? "internal" : "external";
  log_line("escalation", "console " + tag + " " + std::string(req.target()));

  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable); // expect: errorshield-ws-handshake-origin
  ws.text(true);
  auto hello = make_hello("escalation");
  hello["origin_class"] = tag;
  co_await ws.async_write(net::buffer(hello.dump()), net::use_awaitable);
}

// Coroutine twin used by the on-call scheduler UI; checks first.
net::awaitable<void> schedule_console(tcp::socket sock, OriginPolicy const &policy) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  if (!upgrade_permitted(req, policy)) {
    http::response<http::empty_body> res{http::status::forbidden, req.version()};
    res.keep_alive(false);
    co_await http::async_write(stream, res, net::use_awaitable);
    co_return;
  }
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable);
}

// TCP listener; the accept here is the plain socket accept.
class Listener : public std::enable_shared_from_this<Listener> {
public:
  Listener(net::io_context &ioc, tcp::endpoint ep, OriginPolicy const &policy)
      : ioc_(ioc), acceptor_(ioc, ep), policy_(policy) {}

  void start() { do_accept(); }

private:
  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        auto port = self->acceptor_.local_endpoint().port();
        if (port == 9443)
          std::make_shared<OnCallSession>(std::move(s), self->policy_)->run();
        else
          std::make_shared<NurseStationSession>(std::move(s))->run();
      }
      self->do_accept();
    });
  }

  net::io_context &ioc_;
  tcp::acceptor acceptor_;
  OriginPolicy const &policy_;
};

} // namespace pager
