// checks: errorshield-ws-handshake-origin
// Smart-home hub: WebSocket endpoints for the wall panel, the phone app, the
// scene editor and the automation engine. Sessions are templated on the
// transport so the same code serves the LAN (plain TCP) and the cloud relay
// port (TLS terminated on the hub itself).
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace hub {

using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;
using upgrade_request = http::request<http::string_body>;

template <class S> struct is_tls : std::false_type {};
template <> struct is_tls<tls_stream> : std::true_type {};

struct origin_allow_list {
  std::vector<std::string> exact;  // "https://panel.homehub.local", ...

  bool contains(beast::string_view origin) const {
    if (origin.empty()) return false;
    return std::any_of(exact.begin(), exact.end(), [&](const std::string& o) {
      return beast::iequals(o, origin);
    });
  }
};

struct hub_config {
  origin_allow_list panel_origins;
  origin_allow_list app_origins;
  std::string lan_host = "hub.local";
  bool enforce_origin = true;  // support flips this while debugging installs
};

inline void log_line(const char* tag, beast::string_view msg) {
  std::fprintf(stderr, "[%s] %.*s\n", tag, static_cast<int>(msg.size()), msg.data());
}

inline bool has_resume_cookie(const upgrade_request& req) {
  auto it = req.find(http::field::cookie);
  return it != req.end() && it->value().find("hub_resume=") != beast::string_view::npos;
}

inline beast::string_view strip_port(beast::string_view host) {
  auto colon = host.rfind(':');
  return colon == beast::string_view::npos ? host : host.substr(0, colon);
}

// Common plumbing: optional TLS handshake, read the upgrade request, reject.
template <class Stream>
class session_base : public std::enable_shared_from_this<session_base<Stream>> {
 public:
  session_base(Stream&& s, const hub_config& cfg) : ws_(std::move(s)), cfg_(cfg) {}
  virtual ~session_base() = default;

  void start() {
    if constexpr (is_tls<Stream>::value) {
      ws_.next_layer().async_handshake(
          ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
            if (ec) return log_line("tls", ec.message());
            self->read_upgrade();
          });
    } else {
      read_upgrade();
    }
  }

 protected:
  virtual void on_upgrade_request() = 0;
  virtual void on_text(const std::string& msg) { log_line("rx", msg); }

  beast::string_view origin() const {
    auto it = req_.find(http::field::origin);
    return it == req_.end() ? beast::string_view{} : it->value();
  }

  void reject(http::status st) {
    auto res = std::make_shared<http::response<http::string_body>>(st, req_.version());
    res->set(http::field::content_type, "text/plain");
    res->body() = std::string(http::obsolete_reason(st));
    res->keep_alive(false);
    res->prepare_payload();
    http::async_write(ws_.next_layer(), *res,
                      [self = this->shared_from_this(), res](beast::error_code, std::size_t) {});
  }

  auto accept_handler() {
    return [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return log_line("accept", ec.message());
      self->read_loop();
    };
  }

  websocket::stream<Stream> ws_;
  const hub_config& cfg_;
  upgrade_request req_;

 private:
  void read_upgrade() {
    http::async_read(ws_.next_layer(), buf_, req_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return log_line("http", ec.message());
                       if (!websocket::is_upgrade(self->req_))
                         return self->reject(http::status::upgrade_required);
                       self->on_upgrade_request();
                     });
  }

  void read_loop() {
    ws_.async_read(rx_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->on_text(beast::buffers_to_string(self->rx_.data()));
      self->rx_.consume(self->rx_.size());
      self->read_loop();
    });
  }

  beast::flat_buffer buf_;
  beast::flat_buffer rx_;
};

// Wall panel: strict allow-list, rejected before the 101 is ever sent.
template <class Stream>
class panel_session final : public session_base<Stream> {
 public:
  using session_base<Stream>::session_base;

 private:
  void on_upgrade_request() override {
    if (!this->cfg_.panel_origins.contains(this->origin()))
      return this->reject(http::status::forbidden);
    this->ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& r) { r.set(http::field::server, "homehub-panel"); }));
    this->ws_.async_accept(this->req_, this->accept_handler());
  }
};

// Phone app. The Host check was added after a DNS-rebinding report.
template <class Stream>
class app_session final : public session_base<Stream> {
 public:
  using session_base<Stream>::session_base;

 private:
  void on_upgrade_request() override {
    auto host = strip_port(this->req_[http::field::host]);
    if (!beast::iequals(host, this->cfg_.lan_host))
      return this->reject(http::status::misdirected_request);
    this->ws_.async_accept(this->req_, this->accept_handler()); // expect: errorshield-ws-handshake-origin
  }
};

// Scene editor (runs in the installer's browser).
template <class Stream>
class scene_editor_session final : public session_base<Stream> {
 public:
  using session_base<Stream>::session_base;

 private:
  void on_upgrade_request() override {
    const auto o = this->origin();
    if (!this->cfg_.panel_origins.contains(o) && !this->cfg_.app_origins.contains(o)) {
      if (this->cfg_.enforce_origin) return this->reject(http::status::forbidden);
      log_line("scene-editor", "origin outside allow-list tolerated (enforce_origin=false)");
    }
    this->ws_.async_accept(this->req_, this->accept_handler()); // expect: errorshield-ws-handshake-origin
  }
};

// Automation engine UI. Paired devices carry a resume cookie.
template <class Stream>
class automation_session final : public session_base<Stream> {
 public:
  using session_base<Stream>::session_base;

 private:
  void on_upgrade_request() override {
    // Re-checking the origin on every reconnect broke the Android WebView,
    // which sends "Origin: null"; the resume cookie already proves pairing.
    if (has_resume_cookie(this->req_)) {
      this->ws_.async_accept(this->req_, this->accept_handler()); // expect: errorshield-ws-handshake-origin
      return;
    }
    if (!this->cfg_.app_origins.contains(this->origin()))
      return this->reject(http::status::forbidden);
    this->ws_.async_accept(this->req_, this->accept_handler());
  }
};

// Shared helper: the check lives next to the accept, call sites stay short.
template <class Stream, class Handler>
bool accept_if_allowed(websocket::stream<Stream>& ws, const upgrade_request& req,
                       const origin_allow_list& allow, Handler&& on_accept) {
  auto it = req.find(http::field::origin);
  if (it == req.end() || !allow.contains(it->value())) return false;
  ws.async_accept(req, std::forward<Handler>(on_accept));
  return true;
}

// Energy dashboard: goes through the helper above.
template <class Stream>
class energy_session final : public session_base<Stream> {
 public:
  using session_base<Stream>::session_base;

 private:
  void on_upgrade_request() override {
    if (!accept_if_allowed(this->ws_, this->req_, this->cfg_.app_origins, this->accept_handler()))
      this->reject(http::status::forbidden);
  }
};

// Outbound link from the hub to the vendor cloud: we are the client here.
inline void open_cloud_link(net::io_context& ioc, ssl::context& ctx, const std::string& host) {
  tcp::resolver resolver{ioc};
  websocket::stream<tls_stream> ws{ioc, ctx};
  auto results = resolver.resolve(host, "443");
  beast::get_lowest_layer(ws).connect(results);
  if (!SSL_set_tlsext_host_name(ws.next_layer().native_handle(), host.c_str()))
    throw beast::system_error{beast::error_code(static_cast<int>(::ERR_get_error()),
                                                net::error::get_ssl_category())};
  ws.next_layer().handshake(ssl::stream_base::client);
  ws.handshake(host, "/hub/v2/link");
  ws.write(net::buffer(std::string(R"({"op":"hello","fw":"4.2.1"})")));
}

enum class endpoint { panel, app, scene_editor, automation, energy };

template <class Stream>
void launch(endpoint ep, Stream&& s, const hub_config& cfg) {
  std::shared_ptr<session_base<Stream>> sess;
  switch (ep) {
    case endpoint::panel: sess = std::make_shared<panel_session<Stream>>(std::move(s), cfg); break;
    case endpoint::app: sess = std::make_shared<app_session<Stream>>(std::move(s), cfg); break;
    case endpoint::scene_editor:
      sess = std::make_shared<scene_editor_session<Stream>>(std::move(s), cfg);
      break;
    case endpoint::automation:
      sess = std::make_shared<automation_session<Stream>>(std::move(s), cfg);
      break;
    case endpoint::energy: sess = std::make_shared<energy_session<Stream>>(std::move(s), cfg); break;
  }
  sess->start();
}

inline void accept_lan(tcp::acceptor& acc, endpoint ep, const hub_config& cfg) {
  acc.async_accept([&acc, ep, &cfg](beast::error_code ec, tcp::socket sock) {
    if (!ec) launch(ep, plain_stream{std::move(sock)}, cfg);
    accept_lan(acc, ep, cfg);
  });
}

inline void accept_relay(tcp::acceptor& acc, ssl::context& ctx, endpoint ep,
                         const hub_config& cfg) {
  acc.async_accept([&acc, &ctx, ep, &cfg](beast::error_code ec, tcp::socket sock) {
    if (!ec) launch(ep, tls_stream{std::move(sock), ctx}, cfg);
    accept_relay(acc, ctx, ep, cfg);
  });
}

}  // namespace hub
