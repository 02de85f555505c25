// checks: errorshield-upgrade-header
// Live-auction edge proxy: relays bidder HTTP traffic to the bidding engine,
// the lot catalogue and the image CDN.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

namespace auction {

// RFC 9110 section 7.6.1, plus the legacy proxy-* pair.
constexpr std::array<http::field, 8> kHopByHop = {
    http::field::connection,         http::field::keep_alive, http::field::proxy_authenticate,
    http::field::proxy_authorization, http::field::te,         http::field::trailer,
    http::field::transfer_encoding,  http::field::upgrade};

bool is_hop_by_hop(http::field f) {
  return std::find(kHopByHop.begin(), kHopByHop.end(), f) != kHopByHop.end();
}

template <class Fields> void strip_hop_by_hop(Fields &fields) {
  std::vector<std::string> named;
  for (auto tok : http::token_list{fields[http::field::connection]})
    named.emplace_back(tok);
  for (auto &n : named)
    fields.erase(n);
  for (auto f : kHopByHop)
    fields.erase(f);
}

Request make_upstream_request(const Request &in, const std::string &client_ip) {
  Request out = in;
  strip_hop_by_hop(out);
  out.set("X-Forwarded-For", client_ip);
  out.set("X-Forwarded-Proto", "https");
  out.keep_alive(true); // our own pooled connection to the engine
  return out;
}

// Bids: client -> engine -> client, all asynchronous.
class BidProxySession : public std::enable_shared_from_this<BidProxySession> {
public:
  BidProxySession(tcp::socket client, tcp::socket engine)
      : client_(std::move(client)), engine_(std::move(engine)) {}

  void start() {
    http::async_read(client_, cbuf_, req_,
                     beast::bind_front_handler(&BidProxySession::on_client_request, shared_from_this()));
  }

private:
  void on_client_request(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto ip = client_.socket().remote_endpoint(ec).address().to_string();
    upstream_req_ = make_upstream_request(req_, ip);
    http::async_write(engine_, upstream_req_,
                      beast::bind_front_handler(&BidProxySession::on_forwarded, shared_from_this()));
  }

  void on_forwarded(beast::error_code ec, std::size_t) {
    if (ec)
      return reply_bad_gateway();
    http::async_read(engine_, ebuf_, res_,
                     beast::bind_front_handler(&BidProxySession::on_engine_response, shared_from_this()));
  }

  void on_engine_response(beast::error_code ec, std::size_t) {
    if (ec)
      return reply_bad_gateway();
    res_.set("X-Auction-Edge", "fra-2");
    http::async_write(client_, res_, [self = shared_from_this()](beast::error_code, std::size_t) { // expect: errorshield-upgrade-header
      self->start();
    });
  }

  void reply_bad_gateway() {
    auto res = std::make_shared<Response>(http::status::bad_gateway, req_.version());
    res->set(http::field::connection, "close");
    res->set(http::field::content_type, "application/json");
    res->body() = json{{"error", "bidding engine unavailable"}}.dump();
    res->prepare_payload();
    http::async_write(client_, *res, [self = shared_from_this(), res](beast::error_code, std::size_t) {});
  }

  beast::tcp_stream client_, engine_;
  beast::flat_buffer cbuf_, ebuf_;
  Request req_, upstream_req_;
  Response res_;
};

// Lot catalogue: rebuilds the request field by field.
class CatalogueProxy {
public:
  explicit CatalogueProxy(tcp::socket upstream) : upstream_(std::move(upstream)) {}

  Response forward(const Request &in) {
    Request out{in.method(), in.target(), in.version()};
    for (auto const &f : in)
      out.insert(f.name_string(), f.value()); // expect: errorshield-upgrade-header
    out.body() = in.body();
    out.prepare_payload();
    return round_trip(out);
  }

  // Lot search has its own path because of the query rewriting.
  Response forward_search(const Request &in, const std::string &rewritten_target) {
    Request out{in.method(), rewritten_target, in.version()};
    for (auto const &f : in) {
      if (is_hop_by_hop(f.name()))
        continue;
      out.insert(f.name_string(), f.value());
    }
    out.prepare_payload();
    return round_trip(out);
  }

  // Watch-list endpoint only needs a couple of end-to-end headers.
  Response forward_watchlist(const Request &in) {
    Request out{http::verb::get, "/watchlist", 11};
    out.set(http::field::host, "catalogue.internal");
    out.set(http::field::authorization, in[http::field::authorization]);
    out.set(http::field::accept_language, in[http::field::accept_language]);
    out.set(http::field::te, in[http::field::te]); // expect: errorshield-upgrade-header
    return round_trip(out);
  }

private:
  Response round_trip(Request &out) {
    http::write(upstream_, out);
    beast::flat_buffer buf;
    Response res;
    http::read(upstream_, buf, res);
    strip_hop_by_hop(res);
    return res;
  }

  tcp::socket upstream_;
};

// Lot images: synchronous relay used by the thumbnail worker pool.
void relay_image(tcp::socket &client, tcp::socket &cdn, const std::string &cdn_host) {
  beast::flat_buffer cbuf;
  Request req;
  http::read(client, cbuf, req);

  Request fwd = req;
  fwd.set(http::field::host, cdn_host);
  fwd.set(http::field::via, "1.1 auction-edge");
  http::write(cdn, fwd); // expect: errorshield-upgrade-header

  beast::flat_buffer ubuf;
  Response res;
  http::read(cdn, ubuf, res);
  strip_hop_by_hop(res);
  res.prepare_payload();
  http::write(client, res);
}

// Seller uploads: someone remembered Connection, but nothing else.
void relay_seller_upload(tcp::socket &client, tcp::socket &engine) {
  beast::flat_buffer cbuf;
  Request req;
  http::read(client, cbuf, req);

  Request fwd = req;
  fwd.erase(http::field::connection);
  http::write(engine, fwd); // expect: errorshield-upgrade-header

  beast::flat_buffer ebuf;
  Response res;
  http::read(engine, ebuf, res);
  Response out{res.result(), res.version()};
  out.set(http::field::content_type, res[http::field::content_type]);
  out.set(http::field::cache_control, "no-store");
  out.body() = res.body();
  out.keep_alive(false);
  out.prepare_payload();
  http::write(client, out);
}

// Health endpoint answered by the proxy itself.
void answer_health(tcp::socket &client, const Request &req) {
  Response res{http::status::ok, req.version()};
  res.set(http::field::connection, "keep-alive");
  res.set(http::field::keep_alive, "timeout=5, max=100");
  res.set(http::field::content_type, "application/json");
  res.body() = json{{"status", "ok"}, {"open_lots", 318}}.dump();
  res.prepare_payload();
  http::write(client, res);
}

} // namespace auction
