// checks: errorshield-upgrade-header
// Building-permit gateway. Citizens reach it over HTTPS from the public portal,
// clerk terminals reach it over the town hall LAN. It forwards permit lookups
// to the county records service (HTTPS) and inspection bookings to the old
// scheduler box in the basement (plain HTTP behind an Envoy sidecar).

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <type_traits>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using nlohmann::json;

namespace permits {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// base64url of an empty-ish SETTINGS frame payload (MAX_CONCURRENT_STREAMS=100).
constexpr const char* kH2Settings = "AAMAAABk";

struct UpstreamConfig {
  std::string records_host = "records.county.example";
  std::string records_port = "443";
  std::string scheduler_host = "10.20.0.14";
  std::string scheduler_port = "8080";
  bool h2c_probe = true;
};

// Headers that describe one hop and must not be forwarded (RFC 9110 7.6.1).
bool is_hop_by_hop(beast::string_view name) {
  static constexpr std::array<beast::string_view, 9> hop{
      "connection", "keep-alive", "proxy-connection", "te", "trailer",
      "transfer-encoding", "upgrade", "http2-settings", "proxy-authorization"};
  for (auto h : hop)
    if (beast::iequals(name, h))
      return true;
  return false;
}

void copy_end_to_end(const Request& in, Request& out) {
  for (const auto& f : in) {
    if (is_hop_by_hop(f.name_string()))
      continue;
    out.insert(f.name_string(), f.value());
  }
}

// Sends the probe and reports whether the peer agreed to switch protocols.
// A yes hands the host over to the nghttp2 pool; we close our side either way.
template <class Stream>
bool send_probe(Stream& stream, Request& req) {
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::empty_body> res;
  http::read(stream, buf, res);
  return res.result() == http::status::switching_protocols;
}

class Upstreams {
public:
  Upstreams(net::io_context& ioc, ssl::context& tls, UpstreamConfig cfg)
      : ioc_(ioc), tls_(tls), cfg_(std::move(cfg)) {}

  // Scheduler box: cleartext, so the classic HTTP/1.1 -> h2c upgrade applies.
  bool probe_scheduler() {
    tcp::resolver resolver(ioc_);
    beast::tcp_stream stream(ioc_);
    stream.connect(resolver.resolve(cfg_.scheduler_host, cfg_.scheduler_port));

    Request req{http::verb::options, "*", 11};
    req.set(http::field::host, cfg_.scheduler_host);
    req.set(http::field::connection, "Upgrade, HTTP2-Settings");
    req.set(http::field::upgrade, "h2c");
    req.set("HTTP2-Settings", kH2Settings);
    bool ok = send_probe(stream, req);

    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return ok;
  }

  // County records service.
  bool probe_records() {
    TlsStream stream(ioc_, tls_);
    open_records(stream);

    Request req{http::verb::options, "*", 11};
    req.set(http::field::host, cfg_.records_host);
    req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    req.set("HTTP2-Settings", kH2Settings); // expect: errorshield-upgrade-header
    bool ok = send_probe(stream, req);

    beast::error_code ec;
    stream.shutdown(ec);
    return ok;
  }

  // Permit status lookups from citizens: forwarded verbatim apart from Host.
  Response forward_status_query(const Request& citizen_req) {
    TlsStream stream(ioc_, tls_);
    open_records(stream);

    Request up{citizen_req.method(), citizen_req.target(), 11};
    for (const auto& f : citizen_req)
      up.insert(f.name_string(), f.value()); // expect: errorshield-upgrade-header
    up.set(http::field::host, cfg_.records_host);
    up.body() = citizen_req.body();
    up.prepare_payload();
    return round_trip(stream, up);
  }

  // Document uploads (plans, site photos) go to the same service.
  Response forward_document(const Request& citizen_req) {
    TlsStream stream(ioc_, tls_);
    open_records(stream);

    Request up{http::verb::post, "/v2/documents", 11};
    copy_end_to_end(citizen_req, up);
    up.set(http::field::host, cfg_.records_host);
    up.set(http::field::connection, "close");
    up.body() = citizen_req.body();
    up.prepare_payload();
    return round_trip(stream, up);
  }

  Response book_inspection(const json& slot) {
    tcp::resolver resolver(ioc_);
    beast::tcp_stream stream(ioc_);
    stream.connect(resolver.resolve(cfg_.scheduler_host, cfg_.scheduler_port));

    Request req{http::verb::post, "/v1/inspections", 11};
    req.set(http::field::host, cfg_.scheduler_host);
    req.set(http::field::content_type, "application/json");
    req.body() = slot.dump();
    req.prepare_payload();
    return round_trip(stream, req);
  }

private:
  void open_records(TlsStream& stream) {
    if (!SSL_set_tlsext_host_name(stream.native_handle(), cfg_.records_host.c_str()))
      throw beast::system_error(beast::error_code(static_cast<int>(::ERR_get_error()),
                                                  net::error::get_ssl_category()));
    tcp::resolver resolver(ioc_);
    beast::get_lowest_layer(stream).connect(resolver.resolve(cfg_.records_host, cfg_.records_port));
    stream.handshake(ssl::stream_base::client);
  }

  template <class Stream>
  static Response round_trip(Stream& stream, Request& req) {
    http::write(stream, req);
    beast::flat_buffer buf;
    Response res;
    http::read(stream, buf, res);
    return res;
  }

  net::io_context& ioc_;
  ssl::context& tls_;
  UpstreamConfig cfg_;
};

// One inbound HTTP/1.1 connection, either the public TLS listener or the LAN one.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
public:
  using Decorator = std::function<void(Response&)>;

  Session(Stream stream, Upstreams& up) : stream_(std::move(stream)), up_(up) {}

  void set_decorator(Decorator d) { decorate_ = std::move(d); }

  void run() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec)
                                  self->do_read();
                              });
    } else {
      do_read();
    }
  }

private:
  void do_read() {
    req_ = {};
    http::async_read(stream_, buf_, req_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec)
                         return;
                       self->on_request();
                     });
  }

  void on_request() {
    auto res = std::make_shared<Response>();
    if (req_.target().starts_with("/permits/"))
      *res = up_.forward_status_query(req_);
    else if (req_.target() == "/documents")
      *res = up_.forward_document(req_);
    else
      *res = Response{http::status::not_found, req_.version()};

    res->version(req_.version());
    res->keep_alive(req_.keep_alive());
    if constexpr (std::is_same_v<Stream, TlsStream>)
      res->erase(http::field::upgrade);
    if (decorate_)
      decorate_(*res);
    res->prepare_payload();

    http::async_write(stream_, *res,
                      [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
                        if (!ec && res->keep_alive())
                          self->do_read();
                      });
  }

  Stream stream_;
  Upstreams& up_;
  beast::flat_buffer buf_;
  Request req_;
  Decorator decorate_;
};

void configure_tls(ssl::context& ctx) {
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  static const unsigned char alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx.native_handle(), alpn, sizeof(alpn));
}

// Public portal listener (443).
void accept_citizens(tcp::acceptor& acc, ssl::context& tls, Upstreams& up) {
  acc.async_accept([&acc, &tls, &up](beast::error_code ec, tcp::socket sock) {
    if (!ec) {
      auto s = std::make_shared<Session<TlsStream>>(TlsStream(std::move(sock), tls), up);
      s->set_decorator([](Response& r) {
        r.set(http::field::server, "permit-gateway");
        r.set(http::field::strict_transport_security, "max-age=31536000");
        r.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
      });
      s->run();
    }
    accept_citizens(acc, tls, up);
  });
}

// Clerk terminals on the town hall LAN (8080). The Envoy in front of the
// clerks' thin clients picks up the h2c advertisement.
void accept_clerks(tcp::acceptor& acc, Upstreams& up) {
  acc.async_accept([&acc, &up](beast::error_code ec, tcp::socket sock) {
    if (!ec) {
      auto s = std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(sock)), up);
      s->set_decorator([](Response& r) {
        r.set(http::field::server, "permit-gateway");
        r.set(http::field::upgrade, "h2c");
      });
      s->run();
    }
    accept_clerks(acc, up);
  });
}

void log_probe_results(Upstreams& up, const UpstreamConfig& cfg) {
  if (!cfg.h2c_probe)
    return;
  json report;
  report["scheduler_h2c"] = up.probe_scheduler();
  report["records_h2c"] = up.probe_records();
  std::clog << "upstream protocol probe: " << report.dump() << '\n';
}

} // namespace permits
