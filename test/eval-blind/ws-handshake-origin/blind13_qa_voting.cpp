// checks: errorshield-ws-handshake-origin
// Live Q&A voting service for conference sessions: audience phones vote on
// questions, moderators curate the queue, the stage projector shows the top list.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace qa {

constexpr std::array<std::string_view, 3> kTrustedOrigins = {
    "https://live.confqa.example",
    "https://moderate.confqa.example",
    "https://stage.confqa.example",
};

bool origin_is_trusted(std::string_view origin) {
  return std::find(kTrustedOrigins.begin(), kTrustedOrigins.end(), origin) !=
         kTrustedOrigins.end();
}

bool bearer_valid(std::string_view auth_header) {
  constexpr std::string_view prefix = "Bearer ";
  return auth_header.size() > prefix.size() + 16 &&
         auth_header.substr(0, prefix.size()) == prefix;
}

void log_line(std::string_view tag, std::string_view msg) {
  std::fprintf(stderr, "[qa:%.*s] %.*s\n", static_cast<int>(tag.size()),
               tag.data(), static_cast<int>(msg.size()), msg.data());
}

template <class Stream>
void write_forbidden(Stream &stream, unsigned version, std::string_view why) {
  auto res = std::make_shared<http::response<http::string_body>>(
      http::status::forbidden, version);
  res->set(http::field::content_type, "text/plain");
  res->body() = std::string(why);
  res->prepare_payload();
  http::async_write(stream, *res,
                    [res](beast::error_code, std::size_t) {});
}

// Audience phones.
class AudienceSession : public std::enable_shared_from_this<AudienceSession> {
public:
  explicit AudienceSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.next_layer().expires_after(std::chrono::seconds(15));
    http::async_read(ws_.next_layer(), buffer_, req_,
                     beast::bind_front_handler(&AudienceSession::on_request,
                                               shared_from_this()));
  }

private:
  void on_request(beast::error_code ec, std::size_t) {
    if (ec)
      return log_line("audience", ec.message());
    if (!websocket::is_upgrade(req_))
      return write_forbidden(ws_.next_layer(), req_.version(), "upgrade only");
    if (!origin_is_trusted(req_[http::field::origin])) // OK: allow-list first
      return write_forbidden(ws_.next_layer(), req_.version(), "bad origin");
    ws_.next_layer().expires_never();
    ws_.async_accept(req_, beast::bind_front_handler(&AudienceSession::on_accept,
                                                     shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec)
      return log_line("audience", ec.message());
    log_line("audience", "joined");
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

// Moderators: token-protected console in the green room.
class ModeratorSession : public std::enable_shared_from_this<ModeratorSession> {
public:
  explicit ModeratorSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    http::async_read(ws_.next_layer(), buffer_, req_,
                     beast::bind_front_handler(&ModeratorSession::on_request,
                                               shared_from_this()));
  }

private:
  void on_request(beast::error_code ec, std::size_t) {
    if (ec)
      return log_line("moderator", ec.message());
    if (!websocket::is_upgrade(req_))
      return write_forbidden(ws_.next_layer(), req_.version(), "upgrade only");
    if (!bearer_valid(req_[http::field::authorization]))
      return write_forbidden(ws_.next_layer(), req_.version(), "no token");
    ws_.async_accept(req_, beast::bind_front_handler(&ModeratorSession::on_accept, // expect: errorshield-ws-handshake-origin
                                                     shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec)
      return log_line("moderator", ec.message());
    json hello = {{"type", "queue_snapshot"}, {"questions", json::array()}};
    out_ = hello.dump();
    ws_.text(true);
    ws_.async_write(asio::buffer(out_), [self = shared_from_this()](
                                            beast::error_code, std::size_t) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  std::string out_;
};

// Stage projector: a kiosk browser in the hall, runs the leaderboard page.
class ProjectorSession : public std::enable_shared_from_this<ProjectorSession> {
public:
  explicit ProjectorSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type &res) {
          res.set(http::field::server, "confqa-projector");
        }));
    ws_.async_accept(beast::bind_front_handler(&ProjectorSession::on_accept, // expect: errorshield-ws-handshake-origin
                                               shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      log_line("projector", ec.message());
  }

  websocket::stream<beast::tcp_stream> ws_;
};

// Newer coroutine endpoint for the "vote burst" channel.
asio::awaitable<void> serve_vote_burst(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(sock, buf, req, asio::use_awaitable);

  websocket::stream<tcp::socket> ws(std::move(sock));
  std::string origin(req[http::field::origin]);
  co_await ws.async_accept(req, asio::use_awaitable); // expect: errorshield-ws-handshake-origin
  if (!origin_is_trusted(origin)) {
    co_await ws.async_close(websocket::close_code::policy_error,
                            asio::use_awaitable);
    co_return;
  }
  for (;;) {
    beast::flat_buffer msg;
    co_await ws.async_read(msg, asio::use_awaitable);
    auto vote = json::parse(beast::buffers_to_string(msg.data()), nullptr, false);
    if (vote.is_discarded())
      continue;
    log_line("burst", vote.value("question_id", std::string("?")));
  }
}

// Reaction-emoji channel.
asio::awaitable<void> serve_reactions(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(sock, buf, req, asio::use_awaitable);
  if (!websocket::is_upgrade(req) ||
      !origin_is_trusted(req[http::field::origin])) {
    http::response<http::string_body> res{http::status::forbidden, req.version()};
    res.prepare_payload();
    co_await http::async_write(sock, res, asio::use_awaitable);
    co_return;
  }
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(req, asio::use_awaitable); // OK
  beast::flat_buffer msg;
  co_await ws.async_read(msg, asio::use_awaitable);
}

// Sync endpoint used by the speaker-notes laptop on the stage LAN.
void serve_speaker_notes(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  http::read(sock, buf, req);
  const auto origin = req[http::field::origin];
  log_line("speaker", std::string("handshake from ") + std::string(origin));
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(req); // expect: errorshield-ws-handshake-origin
  ws.text(true);
  ws.write(asio::buffer(std::string(R"({"type":"notes_ready"})")));
}

bool handshake_permitted(const http::request<http::string_body> &req) {
  return websocket::is_upgrade(req) &&
         origin_is_trusted(req[http::field::origin]);
}

void serve_archive_viewer(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  http::read(sock, buf, req);
  if (!handshake_permitted(req)) { // OK: allow-list checked in helper
    http::response<http::empty_body> res{http::status::forbidden, req.version()};
    http::write(sock, res);
    return;
  }
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(req);
}

class Listener : public std::enable_shared_from_this<Listener> {
public:
  Listener(asio::io_context &ioc, tcp::endpoint ep) : acceptor_(ioc, ep) {}

  void run() { do_accept(); }

private:
  void do_accept() {
    acceptor_.async_accept( // OK: TCP accept, not a WebSocket handshake
        [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
          if (!ec)
            std::make_shared<AudienceSession>(std::move(s))->start();
          self->do_accept();
        });
  }

  tcp::acceptor acceptor_;
};

} // namespace qa
