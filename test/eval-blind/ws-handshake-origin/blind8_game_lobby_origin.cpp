// checks: errorshield-ws-handshake-origin
// Multiplayer game lobby gateway: lobby chat, spectators, ranked queue (wss),
// tournament brackets and an operator console.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <string>
#include <unordered_set>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace lobby {

class OriginPolicy {
public:
  OriginPolicy()
      : allowed_{"https://play.starforge.gg", "https://launcher.starforge.gg",
                 "app://starforge-launcher"} {}

  bool permits(beast::string_view origin) const {
    return allowed_.count(std::string(origin)) != 0;
  }

private:
  std::unordered_set<std::string> allowed_;
};

const OriginPolicy &policy() {
  static const OriginPolicy p;
  return p;
}

// Writes a short plain-text refusal and half-closes the connection.
template <class Stream>
void write_refusal(std::shared_ptr<void> keep_alive, Stream &stream,
                   const http::request<http::string_body> &req, http::status st) {
  auto res = std::make_shared<http::response<http::string_body>>(st, req.version());
  res->set(http::field::content_type, "text/plain");
  res->body() = "upgrade refused";
  res->keep_alive(false);
  res->prepare_payload();
  http::async_write(stream, *res, [keep_alive, res](beast::error_code, std::size_t) {});
}

// Lobby chat: the upgrade request is read by hand so the Origin can be vetted.
class LobbySession : public std::enable_shared_from_this<LobbySession> {
public:
  explicit LobbySession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    http::async_read(ws_.next_layer(), buffer_, req_,
                     beast::bind_front_handler(&LobbySession::on_request, shared_from_this()));
  }

private:
  bool origin_ok() const { return policy().permits(req_[http::field::origin]); }

  void on_request(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    if (!websocket::is_upgrade(req_))
      return write_refusal(shared_from_this(), ws_.next_layer(), req_, http::status::bad_request);
    if (!origin_ok())
      return write_refusal(shared_from_this(), ws_.next_layer(), req_, http::status::forbidden);
    ws_.async_accept(req_, beast::bind_front_handler(&LobbySession::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    ws_.async_read(inbox_, [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  beast::flat_buffer inbox_;
  http::request<http::string_body> req_;
};

// Spectator feed: lets Beast read the HTTP upgrade itself.
class SpectatorSession : public std::enable_shared_from_this<SpectatorSession> {
public:
  SpectatorSession(tcp::socket s, std::string match_id)
      : ws_(std::move(s)), match_id_(std::move(match_id)) {}

  void start() {
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
      res.set(http::field::server, "starforge-spectate");
    }));
    ws_.async_accept(beast::bind_front_handler(&SpectatorSession::on_accept, shared_from_this())); // expect: errorshield-ws-handshake-origin
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    std::cout << "spectator joined match " << match_id_ << "\n";
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::string match_id_;
};

// Ranked queue over TLS. Validates the Host header, which is not what stops
// a hostile page from driving the player's browser.
class RankedSession : public std::enable_shared_from_this<RankedSession> {
public:
  RankedSession(tcp::socket s, ssl::context &tls) : ws_(std::move(s), tls) {}

  void start() {
    ws_.next_layer().async_handshake(
        ssl::stream_base::server,
        beast::bind_front_handler(&RankedSession::on_tls, shared_from_this()));
  }

private:
  void on_tls(beast::error_code ec) {
    if (ec)
      return;
    http::async_read(ws_.next_layer(), buffer_, req_,
                     beast::bind_front_handler(&RankedSession::on_request, shared_from_this()));
  }

  void on_request(beast::error_code ec, std::size_t) {
    if (ec || !websocket::is_upgrade(req_))
      return;
    if (req_[http::field::host] != "ranked.starforge.gg")
      return write_refusal(shared_from_this(), ws_.next_layer(), req_, http::status::misdirected_request);
    ws_.async_accept(req_, beast::bind_front_handler(&RankedSession::on_accept, shared_from_this())); // expect: errorshield-ws-handshake-origin
  }

  void on_accept(beast::error_code ec) {
    if (!ec)
      std::cout << "ranked player queued\n";
  }

  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

// Party invites: the origin is recorded for analytics only.
class PartyInviteSession : public std::enable_shared_from_this<PartyInviteSession> {
public:
  explicit PartyInviteSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    http::async_read(ws_.next_layer(), buffer_, req_,
                     beast::bind_front_handler(&PartyInviteSession::on_request, shared_from_this()));
  }

private:
  void record_referrer() {
    json ev{{"event", "party_ws_open"},
            {"origin", std::string(req_[http::field::origin])},
            {"ua", std::string(req_[http::field::user_agent])}};
    std::cout << ev.dump() << "\n";
  }

  void on_request(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    record_referrer();
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-handshake-origin
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

// Tournament brackets: validation lives in a free function shared with the REST API.
bool validate_upgrade(const http::request<http::string_body> &req, std::string &why) {
  if (!websocket::is_upgrade(req)) {
    why = "not an upgrade";
    return false;
  }
  if (!policy().permits(req[http::field::origin])) {
    why = "origin";
    return false;
  }
  return true;
}

class TournamentSession : public std::enable_shared_from_this<TournamentSession> {
public:
  explicit TournamentSession(tcp::socket s) : ws_(std::move(s)) {}

  void on_request(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    std::string why;
    if (!validate_upgrade(req_, why)) {
      std::cerr << "tournament upgrade refused: " << why << "\n";
      return write_refusal(shared_from_this(), ws_.next_layer(), req_, http::status::forbidden);
    }
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

// Voice relay: non-browser clients (the native launcher) send no Origin at all,
// so only a present-and-foreign Origin is refused.
class VoiceRelaySession : public std::enable_shared_from_this<VoiceRelaySession> {
public:
  explicit VoiceRelaySession(tcp::socket s) : ws_(std::move(s)) {}

  void on_request(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto origin = req_[http::field::origin];
    if (!origin.empty() && !policy().permits(origin))
      return write_refusal(shared_from_this(), ws_.next_layer(), req_, http::status::forbidden);
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

// Emote wheel: insists an Origin is present, but any site's Origin passes.
class EmoteSession : public std::enable_shared_from_this<EmoteSession> {
public:
  explicit EmoteSession(tcp::socket s) : ws_(std::move(s)) {}

  void on_request(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    if (req_[http::field::origin].empty())
      return write_refusal(shared_from_this(), ws_.next_layer(), req_, http::status::forbidden);
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-handshake-origin
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

// Lobby -> matchmaker bridge. We are the client here; there is no accept.
void connect_matchmaker(asio::io_context &ioc, const std::string &host) {
  tcp::resolver resolver(ioc);
  websocket::stream<tcp::socket> ws(ioc);
  auto results = resolver.resolve(host, "9100");
  asio::connect(ws.next_layer(), results);
  ws.handshake(host, "/matchmaker/v2");
  ws.write(asio::buffer(json{{"op", "hello"}, {"region", "eu-west"}}.dump()));
}

// Operator console, served synchronously from a maintenance thread.
void serve_operator_console(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  http::read(sock, buf, req);
  if (!policy().permits(req[http::field::origin])) {
    http::response<http::string_body> res{http::status::forbidden, req.version()};
    res.prepare_payload();
    http::write(sock, res);
    return;
  }
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(req);
  ws.text(true);
  ws.write(asio::buffer(std::string("{\"console\":\"ready\"}")));
}

} // namespace lobby
