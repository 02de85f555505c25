// checks: errorshield-upgrade-header
// API mesh ingress: terminates client TLS, routes to backends that are either
// mTLS services in other zones or plaintext sidecars on localhost.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace mesh {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Rewriter = std::function<void(Request&)>;

struct Route {
  std::string prefix;
  std::string backend;
  bool websocket = false;
};

// Plaintext sidecar on the same pod: h2c prior-knowledge/upgrade is allowed.
class SidecarBackend {
public:
  explicit SidecarBackend(net::any_io_executor ex) : stream_(ex) {}

  void enable_h2_probe(std::string settings) {
    rewriters_.push_back([s = std::move(settings)](Request& r) {
      r.set(http::field::connection, "Upgrade, HTTP2-Settings");
      r.set(http::field::upgrade, "h2c");
      r.set("HTTP2-Settings", s);
    });
  }

  template <class Handler> void send(Request& req, Handler&& h) {
    for (auto& rw : rewriters_)
      rw(req);
    http::async_write(stream_, req, std::forward<Handler>(h));
  }

  beast::tcp_stream stream_;

private:
  std::vector<Rewriter> rewriters_;
};

// Cross-zone service reached over mutual TLS.
class MtlsBackend {
public:
  MtlsBackend(net::any_io_executor ex, ssl::context& ctx) : stream_(ex, ctx) {}

  void enable_h2_probe(std::string settings) {
    rewriters_.push_back([s = std::move(settings)](Request& r) {
      r.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
      r.set("HTTP2-Settings", s); // expect: errorshield-upgrade-header
    });
  }

  void add_trace_header(std::string trace_id) {
    rewriters_.push_back([t = std::move(trace_id)](Request& r) { r.set("X-Mesh-Trace", t); });
  }

  template <class Handler> void send(Request& req, Handler&& h) {
    for (auto& rw : rewriters_)
      rw(req);
    http::async_write(stream_, req, std::forward<Handler>(h));
  }

  TlsStream stream_;

private:
  std::vector<Rewriter> rewriters_;
};

inline void strip_h2c(Request& req) {
  req.erase(http::field::upgrade);
  req.erase("HTTP2-Settings");
  req.erase(http::field::connection);
}

inline bool client_offers_h2c(Request const& req) {
  return beast::iequals(req[http::field::upgrade], "h2c") ||
         req.find("HTTP2-Settings") != req.end();
}

// Active health check against an mTLS backend.
net::awaitable<bool> health_probe(MtlsBackend* backend, std::string host) {
  Request req{http::verb::options, "/healthz", 11};
  req.set(http::field::host, host);
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  co_await http::async_write(backend->stream_, req, net::use_awaitable);
  beast::flat_buffer buf;
  Response res;
  co_await http::async_read(backend->stream_, buf, res, net::use_awaitable);
  co_return res.result() == http::status::ok ||
      res.result() == http::status::switching_protocols;
}

// Same probe against a sidecar (cleartext): fine.
net::awaitable<bool> health_probe(SidecarBackend& sidecar, std::string settings) {
  Request req{http::verb::options, "/healthz", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", settings);
  co_await http::async_write(sidecar.stream_, req, net::use_awaitable);
  beast::flat_buffer buf;
  Response res;
  co_await http::async_read(sidecar.stream_, buf, res, net::use_awaitable);
  co_return res.result_int() < 500;
}

// One downstream client connection; always TLS.
class IngressSession : public std::enable_shared_from_this<IngressSession> {
public:
  IngressSession(tcp::socket sock, ssl::context& ctx, std::vector<Route> const& routes,
                 std::map<std::string, MtlsBackend*> const& mtls,
                 std::map<std::string, SidecarBackend*> const& sidecars)
      : client_(std::move(sock), ctx), routes_(routes), mtls_(mtls), sidecars_(sidecars) {}

  void run() {
    client_.async_handshake(ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                              if (!ec)
                                self->read();
                            });
  }

private:
  void read() {
    req_ = {};
    http::async_read(client_, buf_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec)
                         return;
                       self->dispatch();
                     });
  }

  Route const* match() const {
    for (auto const& r : routes_)
      if (std::string_view(req_.target()).starts_with(r.prefix))
        return &r;
    return nullptr;
  }

  void dispatch() {
    Route const* route = match();
    if (!route)
      return reply(http::status::not_found, json{{"error", "no route"}});

    if (client_offers_h2c(req_) && !route->websocket) {
      json body = {{"error", "upgrade not supported"}, {"hint", "use ALPN h2, not h2c"}};
      return reply(http::status::bad_request, body);
    }

    if (auto it = sidecars_.find(route->backend); it != sidecars_.end()) {
      req_.set("X-Forwarded-Proto", "https");
      it->second->send(req_, [self = shared_from_this()](beast::error_code, std::size_t) {});
      return;
    }

    auto it = mtls_.find(route->backend);
    if (it == mtls_.end())
      return reply(http::status::bad_gateway, json{{"error", "backend down"}});
    MtlsBackend* backend = it->second;

    if (route->websocket) {
      // WebSocket upgrade is preserved end to end over TLS.
      req_.set(http::field::connection, "Upgrade");
      req_.set(http::field::upgrade, "websocket");
      req_.erase("HTTP2-Settings");
    } else {
      strip_h2c(req_);
    }
    req_.set("X-Forwarded-Proto", "https");
    backend->send(req_, [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  void forward_legacy(MtlsBackend& backend) {
    Request out{req_.method(), req_.target(), 11};
    out.set(http::field::host, req_[http::field::host]);
    out.set(http::field::authorization, req_[http::field::authorization]);
    out.set("HTTP2-Settings", req_["HTTP2-Settings"]); // expect: errorshield-upgrade-header
    out.body() = req_.body();
    out.prepare_payload();
    backend.send(out, [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  void reply(http::status st, json const& body) {
    res_ = Response{st, req_.version()};
    res_.set(http::field::server, "mesh-ingress");
    res_.set(http::field::content_type, "application/json");
    if (st == http::status::bad_request)
      res_.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    res_.body() = body.dump();
    res_.prepare_payload();
    http::async_write(client_, res_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (!ec)
                          self->read();
                      });
  }

  TlsStream client_;
  std::vector<Route> const& routes_;
  std::map<std::string, MtlsBackend*> const& mtls_;
  std::map<std::string, SidecarBackend*> const& sidecars_;
  beast::flat_buffer buf_;
  Request req_;
  Response res_;
};

// Cleartext admin listener (loopback only): answers an h2c upgrade legitimately.
void admin_switch_to_h2c(beast::tcp_stream& admin, Request const& req) {
  if (!client_offers_h2c(req))
    return;
  Response res{http::status::switching_protocols, req.version()};
  res.set(http::field::connection, "Upgrade");
  res.set(http::field::upgrade, "h2c");
  http::write(admin, res);
}

void configure_backends(MtlsBackend& payments, SidecarBackend& catalog, std::string const& settings) {
  payments.add_trace_header("ingress-eu1");
  catalog.enable_h2_probe(settings);
  payments.enable_h2_probe(settings);
}

ssl::context make_server_context() {
  ssl::context ctx{ssl::context::tls_server};
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3);
  return ctx;
}

} // namespace mesh
