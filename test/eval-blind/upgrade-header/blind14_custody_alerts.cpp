// checks: errorshield-upgrade-header
// Crypto custody alert relay: receives alerts from the vault-side HSM monitors over the
// private cleartext network and pushes them to customer webhooks and the SIEM over TLS.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>
#include <openssl/ssl.h>

#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using net::awaitable;
using net::use_awaitable;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct Alert {
  std::string vault_id;
  std::string severity;   // "info" | "warn" | "critical"
  std::string kind;       // "withdrawal_velocity", "quorum_degraded", ...
  std::string detail;
};

inline void to_json(json &j, Alert const &a) {
  j = json{{"vault_id", a.vault_id}, {"severity", a.severity}, {"kind", a.kind}, {"detail", a.detail}};
}

struct Endpoint {
  std::string host;
  std::string port;
  std::string path;
  bool tls = true;
};

std::string h2_settings_token() { return "AAMAAABkAAQAoAAAAAIAAAAA"; }

// Configure ALPN so TLS peers can negotiate h2 the proper way.
void configure_alpn(ssl::context &ctx) {
  static const unsigned char protos[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx.native_handle(), protos, sizeof(protos));
}

// ---------------------------------------------------------------------------
// Customer webhook delivery (always HTTPS, coroutine based).
awaitable<void> deliver_webhook(ssl::context &ctx, Endpoint ep, Alert alert) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  beast::ssl_stream<beast::tcp_stream> stream(ex, ctx);
  SSL_set_tlsext_host_name(stream.native_handle(), ep.host.c_str());

  auto results = co_await resolver.async_resolve(ep.host, ep.port, use_awaitable);
  co_await beast::get_lowest_layer(stream).async_connect(results, use_awaitable);
  co_await stream.async_handshake(ssl::stream_base::client, use_awaitable);

  Request req{http::verb::post, ep.path, 11};
  req.set(http::field::host, ep.host);
  req.set(http::field::content_type, "application/json");
  if (alert.severity == "critical") {
    // critical alerts are bursty; try to get a multiplexed connection
    req.insert(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    req.insert("HTTP2-Settings", h2_settings_token()); // expect: errorshield-upgrade-header
  }
  req.body() = json(alert).dump();
  req.prepare_payload();
  co_await http::async_write(stream, req, use_awaitable);

  beast::flat_buffer buf;
  Response res;
  co_await http::async_read(stream, buf, res, use_awaitable);
  if (res.result() != http::status::ok && res.result() != http::status::accepted)
    std::cerr << "webhook " << ep.host << " returned " << res.result_int() << "\n";
}

// Same delivery for endpoints configured with an http:// URL (on-prem customers).
awaitable<void> deliver_webhook_any(ssl::context &ctx, Endpoint ep, Alert alert) {
  if (ep.tls) {
    co_await deliver_webhook(ctx, ep, alert);
    co_return;
  }
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  beast::tcp_stream stream(ex);
  auto results = co_await resolver.async_resolve(ep.host, ep.port, use_awaitable);
  co_await stream.async_connect(results, use_awaitable);

  Request req{http::verb::post, ep.path, 11};
  req.set(http::field::host, ep.host);
  if (!ep.tls) {
    req.set(http::field::upgrade, "h2c"); // OK: cleartext connection
    req.set("HTTP2-Settings", h2_settings_token());
  }
  req.body() = json(alert).dump();
  req.prepare_payload();
  co_await http::async_write(stream, req, use_awaitable);
}

// ---------------------------------------------------------------------------
// SIEM forwarder: keeps one TLS connection open and applies a header decorator.
class SiemForwarder : public std::enable_shared_from_this<SiemForwarder> {
public:
  using Decorator = std::function<void(Request &)>;

  SiemForwarder(net::any_io_executor ex, ssl::context &ctx, std::string host)
      : stream_(ex, ctx), host_(std::move(host)) {}

  void set_decorator(Decorator d) { decorate_ = std::move(d); }

  void forward(Request const &in) {
    out_ = Request{http::verb::post, "/ingest/custody", 11};
    out_.set(http::field::host, host_);
    out_.set(http::field::content_type, "application/json");
    if (beast::iequals(in[http::field::upgrade], "h2c"))
      out_.set(http::field::upgrade, in[http::field::upgrade]); // expect: errorshield-upgrade-header
    if (decorate_)
      decorate_(out_);
    out_.body() = in.body();
    out_.prepare_payload();
    http::async_write(stream_, out_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        std::cerr << "siem write failed: " << ec.message() << "\n";
    });
  }

private:
  beast::ssl_stream<beast::tcp_stream> stream_;
  std::string host_;
  Decorator decorate_;
  Request out_;
};

// Archive service lives on the vault LAN and speaks cleartext HTTP.
class ArchiveForwarder : public std::enable_shared_from_this<ArchiveForwarder> {
public:
  explicit ArchiveForwarder(net::any_io_executor ex) : stream_(ex) {}

  void forward(Request const &in) {
    out_ = Request{http::verb::post, "/archive", 11};
    out_.set(http::field::host, "archive.vault.lan");
    if (auto it = in.find("HTTP2-Settings"); it != in.end()) {
      out_.set(http::field::upgrade, "h2c"); // OK: plain TCP hop
      out_.set("HTTP2-Settings", it->value());
    }
    out_.body() = in.body();
    out_.prepare_payload();
    http::async_write(stream_, out_, [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

private:
  beast::tcp_stream stream_;
  Request out_;
};

void wire_siem(std::shared_ptr<SiemForwarder> const &siem, std::string const &tenant) {
  std::string const settings = h2_settings_token();
  siem->set_decorator([tenant, settings](Request &r) {
    r.set("X-Custody-Tenant", tenant);
    r.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    r.set("HTTP2-Settings", settings); // expect: errorshield-upgrade-header
  });
}

void wire_siem_safe(std::shared_ptr<SiemForwarder> const &siem, std::string const &tenant) {
  siem->set_decorator([tenant](Request &r) {
    r.set("X-Custody-Tenant", tenant);
    r.erase(http::field::upgrade); // OK: strip, never send
    r.erase("HTTP2-Settings");
  });
}

// ---------------------------------------------------------------------------
// Operator console (TLS). Old clients get told what to upgrade to.
class ConsoleSession : public std::enable_shared_from_this<ConsoleSession> {
public:
  ConsoleSession(tcp::socket s, ssl::context &ctx) : stream_(std::move(s), ctx) {}

  void run() {
    stream_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read();
    });
  }

private:
  void read() {
    req_ = {};
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->handle();
    });
  }

  void handle() {
    if (req_.version() == 10) {
      res_ = Response{http::status::upgrade_required, 10};
      res_.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
      res_.set(http::field::connection, "close");
      res_.prepare_payload();
      send();
      return;
    }
    res_ = Response{http::status::ok, 11};
    res_.set(http::field::content_type, "application/json");
    res_.set("X-Alert-Protocol", "h2c-disabled"); // OK: informational value
    res_.body() = R"({"alerts":[]})";
    res_.prepare_payload();
    send();
  }

  void send() {
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec && self->res_.keep_alive())
        self->read();
    });
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buf_;
  Request req_;
  Response res_;
};

void dispatch_alert(net::io_context &ioc, ssl::context &ctx, std::vector<Endpoint> const &eps,
                    Alert const &alert) {
  for (auto const &ep : eps)
    net::co_spawn(ioc, deliver_webhook_any(ctx, ep, alert), net::detached);
}
