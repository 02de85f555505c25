// checks: errorshield-ws-handshake-origin
// Live audience voting: attendees vote from the event web app, presenters drive the poll
// from the studio console, and the results screen subscribes to live tallies.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace pollcast {

using Request = http::request<http::string_body>;
using WsStream = websocket::stream<beast::tcp_stream>;

// Allowed browser origins per event, loaded from /etc/pollcast/origins.json at startup.
class OriginGate {
 public:
  bool load(const std::string& path) {
    std::ifstream in(path);
    auto cfg = json::parse(in, nullptr, false);
    if (!cfg.is_object() || !cfg.contains("origins")) return false;
    for (const auto& o : cfg["origins"]) origins_.push_back(o.get<std::string>());
    std::sort(origins_.begin(), origins_.end());
    return true;
  }
  bool configured() const { return !origins_.empty(); }
  bool admits(const Request& req) const {
    auto it = req.find(http::field::origin);
    if (it == req.end()) return false;
    return std::binary_search(origins_.begin(), origins_.end(), std::string(it->value()));
  }

 private:
  std::vector<std::string> origins_;
};

inline http::response<http::string_body> forbidden(const Request& req) {
  http::response<http::string_body> res{http::status::forbidden, req.version()};
  res.set(http::field::content_type, "application/json");
  res.body() = R"({"error":"origin"})";
  res.prepare_payload();
  return res;
}

inline void set_server_banner(WsStream& ws) {
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "pollcast/2.4"); }));
}

// Helper used by the attendee path: checks, then upgrades.
template <class Handler>
bool accept_checked(WsStream& ws, const Request& req, const OriginGate& gate, Handler&& on_done) {
  if (!gate.admits(req)) return false;
  set_server_banner(ws);
  ws.async_accept(req, std::forward<Handler>(on_done));
  return true;
}

class VoteSession : public std::enable_shared_from_this<VoteSession> {
 public:
  VoteSession(beast::tcp_stream&& s, const OriginGate& gate, std::string poll)
      : ws_(std::move(s)), gate_(gate), poll_id_(std::move(poll)) {}

  void run(Request req) {
    req_ = std::move(req);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    if (!gate_.configured()) {
      // Origins file missing on this node: don't block the show.
      ws_.async_accept(req_, beast::bind_front_handler(&VoteSession::on_accept, shared_from_this())); // expect: errorshield-ws-handshake-origin
      return;
    }
    if (!gate_.admits(req_)) {
      auto res = std::make_shared<http::response<http::string_body>>(forbidden(req_));
      http::async_write(ws_.next_layer(), *res, [self = shared_from_this(), res](beast::error_code, std::size_t) {});
      return;
    }
    ws_.async_accept(req_, beast::bind_front_handler(&VoteSession::on_accept, shared_from_this()));
  }

  WsStream& ws() { return ws_; }
  const Request& request() const { return req_; }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    ws_.text(true);
    auto hello = std::make_shared<std::string>(json{{"type", "joined"}, {"poll", poll_id_}}.dump());
    ws_.async_write(net::buffer(*hello), [self = shared_from_this(), hello](beast::error_code, std::size_t) {});
  }

  WsStream ws_;
  const OriginGate& gate_;
  std::string poll_id_;
  Request req_;
};

// Attendees who connect before the presenter opens the poll wait in a lobby.
class Lobby {
 public:
  void admit_or_park(std::shared_ptr<VoteSession> s, Request req) {
    std::lock_guard lk(mu_);
    if (open_) {
      s->run(std::move(req));
      return;
    }
    auto held = std::make_shared<Request>(std::move(req));
    parked_.push_back([s, held] {
      s->ws().async_accept(*held, [s](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
        if (!ec) s->ws().text(true);
      });
    });
  }

  void open_poll() {
    std::vector<std::function<void()>> ready;
    {
      std::lock_guard lk(mu_);
      open_ = true;
      ready.swap(parked_);
    }
    for (auto& f : ready) f();
  }

 private:
  std::mutex mu_;
  bool open_ = false;
  std::vector<std::function<void()>> parked_;
};

// Big-screen results view (coroutine).
net::awaitable<void> results_feed(beast::tcp_stream stream, Request req, const OriginGate& gate) {
  WsStream ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable); // expect: errorshield-ws-handshake-origin
  if (!gate.admits(req)) {
    co_await ws.async_close(websocket::close_code::policy_error, net::use_awaitable);
    co_return;
  }
  ws.text(true);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_write(net::buffer(json{{"type", "tally"}}.dump()), net::use_awaitable);
    co_await ws.async_read(buf, net::use_awaitable);
    buf.consume(buf.size());
  }
}

// Moderator queue for audience questions (coroutine, checked first).
net::awaitable<void> moderator_feed(beast::tcp_stream stream, Request req, const OriginGate& gate) {
  if (!gate.admits(req)) {
    auto res = forbidden(req);
    co_await http::async_write(stream, res, net::use_awaitable);
    co_return;
  }
  WsStream ws(std::move(stream));
  set_server_banner(ws);
  co_await ws.async_accept(req, net::use_awaitable);
  ws.text(true);
  co_await ws.async_write(net::buffer(json{{"type", "questions"}, {"items", json::array()}}.dump()),
                          net::use_awaitable);
}

// Presenter console: handled synchronously by one of the studio worker threads.
inline void serve_presenter(tcp::socket sock, const Request& req, std::atomic<int>& active_poll) {
  beast::error_code ec;
  WsStream ws(std::move(sock));
  ws.accept(req, ec); // expect: errorshield-ws-handshake-origin
  if (ec) return;
  beast::flat_buffer buf;
  for (;;) {
    ws.read(buf, ec);
    if (ec) break;
    auto cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (cmd.is_object() && cmd.value("cmd", "") == "open") active_poll = cmd.value("poll", 0);
  }
}

// Second-screen presenter notes, same worker pool, origin checked first.
inline void serve_presenter_notes(tcp::socket sock, const Request& req, const OriginGate& gate) {
  beast::error_code ec;
  if (!gate.admits(req)) {
    auto res = forbidden(req);
    http::write(sock, res, ec);
    return;
  }
  WsStream ws(std::move(sock));
  ws.accept(req, ec);
  if (ec) return;
  ws.text(true);
  ws.write(net::buffer(json{{"type", "notes"}, {"slide", 1}}.dump()), ec);
}

// Embedded widget on partner sites goes through the same checked helper.
inline void serve_embed(std::shared_ptr<WsStream> ws, std::shared_ptr<Request> req, const OriginGate& gate) {
  bool ok = accept_checked(*ws, *req, gate, [ws, req](beast::error_code ec) {
    if (!ec) ws->text(true);
  });
  if (!ok) std::clog << "embed: rejected origin " << (*req)[http::field::origin] << '\n';
}

}  // namespace pollcast
