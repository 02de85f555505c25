// checks: errorshield-ws-timeouts
// Exchange order-entry gateway. Members connect over WebSocket either through
// the co-location cross-connect (plain TCP) or over the internet (TLS). Each
// connection is an oe_conn<Stream> owned by a per-transport map; handlers are
// free function templates. The gateway is also a client of the matching engine
// and of the market-data snapshot service.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace oeg {

using plain_t = beast::tcp_stream;
using tls_t = beast::ssl_stream<beast::tcp_stream>;
template <class S> inline constexpr bool is_tls_v = std::is_same_v<S, tls_t>;

struct gw_cfg {
  std::chrono::seconds heartbeat{3};
  std::chrono::seconds admin_idle{120};
  std::string engine_host = "me-primary.internal";
};

template <class Stream>
struct oe_conn {
  template <class... Args>
  explicit oe_conn(std::uint64_t id_, Args&&... args) : id(id_), ws(std::forward<Args>(args)...) {}
  std::uint64_t id;
  websocket::stream<Stream> ws;
  beast::flat_buffer rx;
  http::request<http::string_body> upgrade;
  std::string firm;
  std::uint64_t next_seq = 1;
};

template <class Stream>
using conn_ptr = std::shared_ptr<oe_conn<Stream>>;

struct gateway {
  gw_cfg cfg;
  std::map<std::uint64_t, conn_ptr<plain_t>> colo;
  std::map<std::uint64_t, conn_ptr<tls_t>> remote;
};

template <class Stream> auto& conns_for(gateway& gw) {
  if constexpr (is_tls_v<Stream>) return gw.remote; else return gw.colo;
}

template <class Stream> void drop(gateway& gw, const conn_ptr<Stream>& c) {
  conns_for<Stream>(gw).erase(c->id);
}

// Timeouts + server banner. Idle = three missed heartbeats, and the stream
// pings on its own so a quiet-but-alive member is not cut off.
template <class Stream>
void apply_session_policy(websocket::stream<Stream>& ws, const gw_cfg& cfg) {
  websocket::stream_base::timeout t{};
  t.handshake_timeout = 5s;
  t.idle_timeout = cfg.heartbeat * 3;
  t.keep_alive_pings = true;
  ws.set_option(t);
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& r) { r.set(http::field::server, "oeg/7"); }));
}

template <class Stream>
void tls_then(const conn_ptr<Stream>& c, std::function<void()> next) {
  if constexpr (is_tls_v<Stream>) {
    beast::get_lowest_layer(c->ws).expires_after(5s);
    c->ws.next_layer().async_handshake(ssl::stream_base::server, [c, next](beast::error_code ec) {
      if (!ec) next();
    });
  } else {
    next();
  }
}

// Reads the HTTP upgrade under a TCP deadline, then hands timing over to the
// websocket layer.
template <class Stream>
void read_upgrade(const conn_ptr<Stream>& c, std::function<void()> next) {
  beast::get_lowest_layer(c->ws).expires_after(5s);
  http::async_read(c->ws.next_layer(), c->rx, c->upgrade, [c, next](beast::error_code ec, std::size_t) {
    if (ec) return;
    beast::get_lowest_layer(c->ws).expires_never();
    next();
  });
}

template <class Stream>
void read_orders(gateway& gw, conn_ptr<Stream> c) {
  c->ws.async_read(c->rx, [&gw, c](beast::error_code ec, std::size_t) {
    if (ec) return drop(gw, c);
    auto order = json::parse(beast::buffers_to_string(c->rx.data()), nullptr, false);
    c->rx.consume(c->rx.size());
    if (!order.is_discarded()) order["gw_seq"] = c->next_seq++;
    read_orders(gw, c);
  });
}

// Order entry for members.
template <class Stream>
void start_member_session(gateway& gw, conn_ptr<Stream> c) {
  tls_then<Stream>(c, [&gw, c] {
    read_upgrade<Stream>(c, [&gw, c] {
      apply_session_policy(c->ws, gw.cfg);
      c->ws.async_accept(c->upgrade, [&gw, c](beast::error_code ec) {
        if (ec) return drop(gw, c);
        c->firm = std::string(c->upgrade["X-Firm-Id"]);
        read_orders(gw, c);
      });
    });
  });
}

// Drop-copy feed for clearing firms: large fill batches, so compression on.
template <class Stream>
void start_dropcopy_session(gateway& gw, conn_ptr<Stream> c) {
  tls_then<Stream>(c, [&gw, c] {
    read_upgrade<Stream>(c, [&gw, c] {
      websocket::permessage_deflate pmd;
      pmd.server_enable = true;
      pmd.server_max_window_bits = 12;
      c->ws.set_option(pmd);
      c->ws.set_option(websocket::stream_base::decorator(
          [](websocket::response_type& r) { r.set(http::field::server, "oeg-dropcopy/7"); }));
      c->ws.async_accept(c->upgrade, [&gw, c](beast::error_code ec) { // expect: errorshield-ws-timeouts
        if (ec) return drop(gw, c);
        read_orders(gw, c);
      });
    });
  });
}

// Risk kill-switch console: start from the stream's current settings and
// tighten them; operators sit idle for long stretches.
template <class Stream>
void start_admin_session(gateway& gw, conn_ptr<Stream> c) {
  tls_then<Stream>(c, [&gw, c] {
    read_upgrade<Stream>(c, [&gw, c] {
      websocket::stream_base::timeout t;
      c->ws.get_option(t);
      t.handshake_timeout = 5s;
      t.idle_timeout = gw.cfg.admin_idle;
      t.keep_alive_pings = true;
      c->ws.set_option(t);
      c->ws.async_accept(c->upgrade, [&gw, c](beast::error_code ec) {
        if (ec) return drop(gw, c);
        read_orders(gw, c);
      });
    });
  });
}

// Standby gateway taking over co-located sessions after a primary failure.
// The member reconnects with its last acknowledged sequence number.
void reattach_after_failover(gateway& gw, tcp::socket sock, std::uint64_t id,
                             std::uint64_t last_seq) {
  auto c = std::make_shared<oe_conn<plain_t>>(id, std::move(sock));
  c->next_seq = last_seq + 1;
  gw.colo[id] = c;
  read_upgrade<plain_t>(c, [&gw, c] {
    c->firm = std::string(c->upgrade["X-Firm-Id"]);
    c->ws.async_accept(c->upgrade, [&gw, c](beast::error_code ec) { // expect: errorshield-ws-timeouts
      if (ec) return drop(gw, c);
      read_orders(gw, c);
    });
  });
}

// ---- gateway as a client -----------------------------------------------------

// Matching engine link: every operation gets its own TCP deadline, tight
// enough that a stalled engine triggers failover within seconds.
struct engine_link {
  explicit engine_link(net::any_io_executor ex) : ws(ex) {}
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer acks;
  std::deque<std::string> outq;
};

void read_acks(std::shared_ptr<engine_link> me) {
  beast::get_lowest_layer(me->ws).expires_after(1s);  // engine heartbeats every 250ms
  me->ws.async_read(me->acks, [me](beast::error_code ec, std::size_t) {
    if (ec) return;  // timeout -> failover controller notices the closed link
    me->acks.consume(me->acks.size());
    read_acks(me);
  });
}

void connect_engine(std::shared_ptr<engine_link> me, const tcp::endpoint& ep, const gw_cfg& cfg) {
  beast::get_lowest_layer(me->ws).expires_after(2s);
  beast::get_lowest_layer(me->ws).async_connect(ep, [me, host = cfg.engine_host](beast::error_code ec) {
    if (ec) return;
    beast::get_lowest_layer(me->ws).expires_after(2s);
    me->ws.async_handshake(host, "/orders", [me](beast::error_code ec2) {
      if (ec2) return;
      read_acks(me);
    });
  });
}

// Snapshot service: members ask for a book snapshot after a gap.
void open_snapshot_channel(net::io_context& ioc, const tcp::endpoint& ep,
                           std::function<void(json)> on_snapshot) {
  auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(ioc);
  auto buf = std::make_shared<beast::flat_buffer>();
  beast::get_lowest_layer(*ws).async_connect(ep, [ws, buf, on_snapshot](beast::error_code ec) {
    if (ec) return;
    ws->async_handshake("mds.internal", "/snapshots", [ws, buf, on_snapshot](beast::error_code ec2) { // expect: errorshield-ws-timeouts
      if (ec2) return;
      ws->async_read(*buf, [ws, buf, on_snapshot](beast::error_code ec3, std::size_t) {
        if (ec3) return;
        on_snapshot(json::parse(beast::buffers_to_string(buf->data()), nullptr, false));
      });
    });
  });
}

// ---- listeners ---------------------------------------------------------------
enum class svc { orders, dropcopy, admin };

void accept_colo(gateway& gw, tcp::acceptor& acc, svc kind, std::uint64_t& next_id) {
  acc.async_accept([&gw, &acc, kind, &next_id](beast::error_code ec, tcp::socket sock) {
    if (!ec) {
      auto c = std::make_shared<oe_conn<plain_t>>(next_id++, std::move(sock));
      gw.colo[c->id] = c;
      if (kind == svc::orders) start_member_session<plain_t>(gw, c);
      else if (kind == svc::dropcopy) start_dropcopy_session<plain_t>(gw, c);
      else start_admin_session<plain_t>(gw, c);
    }
    accept_colo(gw, acc, kind, next_id);
  });
}

void accept_remote(gateway& gw, tcp::acceptor& acc, ssl::context& ctx, svc kind, std::uint64_t& next_id) {
  acc.async_accept([&gw, &acc, &ctx, kind, &next_id](beast::error_code ec, tcp::socket sock) {
    if (!ec) {
      auto c = std::make_shared<oe_conn<tls_t>>(next_id++, std::move(sock), ctx);
      gw.remote[c->id] = c;
      if (kind == svc::orders) start_member_session<tls_t>(gw, c);
      else if (kind == svc::dropcopy) start_dropcopy_session<tls_t>(gw, c);
      else start_admin_session<tls_t>(gw, c);
    }
    accept_remote(gw, acc, ctx, kind, next_id);
  });
}

}  // namespace oeg
