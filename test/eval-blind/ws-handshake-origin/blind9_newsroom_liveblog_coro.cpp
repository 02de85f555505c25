// checks: errorshield-ws-handshake-origin
// Newsroom live blog. Readers subscribe to a running story, editors push posts
// from the CMS, and the old mobile apps still hit a legacy port. Everything runs
// as C++20 coroutines on one io_context; connection state lives in a map.
#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>
#include <utility>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
using json = nlohmann::json;

using upgrade_req = http::request<http::string_body>;

struct newsroom_cfg {
  std::unordered_set<std::string> reader_origins;  // https://news.example.com, https://m.news...
  std::unordered_set<std::string> cms_origins;     // https://cms.news.example.com
  std::string cms_session_cookie = "nr_cms";
};

struct conn_state {
  explicit conn_state(beast::tcp_stream&& s) : ws(std::move(s)) {}
  websocket::stream<beast::tcp_stream> ws;
  std::string story_id;
  std::string user;
  bool editor = false;
};

using conn_map = std::map<std::uint64_t, std::shared_ptr<conn_state>>;

// Lower-case the scheme/host and drop a trailing slash some proxies append.
static std::string normalized_origin(const upgrade_req& req) {
  auto it = req.find(http::field::origin);
  if (it == req.end()) return {};
  std::string o(it->value());
  for (auto& ch : o) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (!o.empty() && o.back() == '/') o.pop_back();
  return o;
}

static awaitable<void> send_status(beast::tcp_stream& s, http::status st, unsigned version) {
  http::response<http::string_body> res{st, version};
  res.set(http::field::content_type, "application/json");
  res.body() = json{{"error", http::obsolete_reason(st)}}.dump();
  res.prepare_payload();
  co_await http::async_write(s, res, use_awaitable);
}

static std::string story_from_target(beast::string_view target) {
  auto pos = target.rfind('/');
  return pos == beast::string_view::npos ? std::string{} : std::string(target.substr(pos + 1));
}

static awaitable<void> pump_messages(std::shared_ptr<conn_state> c, conn_map& conns,
                                     std::uint64_t id) {
  beast::flat_buffer rx;
  beast::error_code ec;
  for (;;) {
    co_await c->ws.async_read(rx, net::redirect_error(use_awaitable, ec));
    if (ec) break;
    auto msg = json::parse(beast::buffers_to_string(rx.data()), nullptr, false);
    rx.consume(rx.size());
    if (msg.is_discarded()) continue;
    if (c->editor && msg.value("op", "") == "post") {
      // fan-out handled by the story hub (not shown)
    }
  }
  conns.erase(id);
}

// Readers: public site and the mobile web build.
awaitable<void> serve_reader(tcp::socket sock, const newsroom_cfg& cfg, conn_map& conns,
                             std::uint64_t id) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  upgrade_req req;
  co_await http::async_read(stream, buf, req, use_awaitable);
  if (!websocket::is_upgrade(req)) {
    co_await send_status(stream, http::status::upgrade_required, req.version());
    co_return;
  }
  if (!cfg.reader_origins.count(normalized_origin(req))) {
    co_await send_status(stream, http::status::forbidden, req.version());
    co_return;
  }
  auto c = std::make_shared<conn_state>(std::move(stream));
  c->story_id = story_from_target(req.target());
  co_await c->ws.async_accept(req, use_awaitable);
  conns.emplace(id, c);
  co_await pump_messages(c, conns, id);
}

// Editor upgrade validation: origin and CMS session are looked at together.
struct editor_verdict {
  bool origin_ok = false;
  std::string user;  // empty when no valid CMS session
};

static editor_verdict check_editor_upgrade(const upgrade_req& req, const newsroom_cfg& cfg) {
  editor_verdict v;
  v.origin_ok = cfg.cms_origins.count(normalized_origin(req)) > 0;
  auto it = req.find(http::field::cookie);
  if (it == req.end()) return v;
  auto cookies = it->value();
  auto key = cfg.cms_session_cookie + "=";
  auto pos = cookies.find(key);
  if (pos == beast::string_view::npos) return v;
  auto end = cookies.find(';', pos);
  v.user = std::string(cookies.substr(pos + key.size(), end == beast::string_view::npos
                                                             ? beast::string_view::npos
                                                             : end - pos - key.size()));
  return v;
}

awaitable<void> serve_editor(tcp::socket sock, const newsroom_cfg& cfg, conn_map& conns,
                             std::uint64_t id) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  upgrade_req req;
  co_await http::async_read(stream, buf, req, use_awaitable);
  auto verdict = check_editor_upgrade(req, cfg);
  if (verdict.user.empty()) {
    co_await send_status(stream, http::status::unauthorized, req.version());
    co_return;
  }
  auto c = std::make_shared<conn_state>(std::move(stream));
  c->user = verdict.user;
  c->editor = true;
  co_await c->ws.async_accept(req, use_awaitable); // expect: errorshield-ws-handshake-origin
  conns.emplace(id, c);
  co_await pump_messages(c, conns, id);
}

// Moderation console: the check is done by a separate awaitable that also
// writes the rejection, so the accept below looks unguarded but is not.
static awaitable<bool> authorize_upgrade(beast::tcp_stream& s, const upgrade_req& req,
                                         const newsroom_cfg& cfg) {
  if (websocket::is_upgrade(req) && cfg.cms_origins.count(normalized_origin(req))) co_return true;
  co_await send_status(s, http::status::forbidden, req.version());
  co_return false;
}

awaitable<void> serve_moderation(tcp::socket sock, const newsroom_cfg& cfg, conn_map& conns,
                                 std::uint64_t id) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  upgrade_req req;
  co_await http::async_read(stream, buf, req, use_awaitable);
  if (!co_await authorize_upgrade(stream, req, cfg)) co_return;
  auto c = std::make_shared<conn_state>(std::move(stream));
  co_await c->ws.async_accept(req, use_awaitable);
  conns.emplace(id, c);
  co_await pump_messages(c, conns, id);
}

// Comment stream. v2 clients negotiate a subprotocol; v1 widgets are still
// embedded in a few thousand old articles.
awaitable<void> serve_comments(tcp::socket sock, const newsroom_cfg& cfg, conn_map& conns,
                               std::uint64_t id) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  upgrade_req req;
  co_await http::async_read(stream, buf, req, use_awaitable);
  auto c = std::make_shared<conn_state>(std::move(stream));
  if (req[http::field::sec_websocket_protocol] == "liveblog.v2") {
    if (!cfg.reader_origins.count(normalized_origin(req))) {
      co_await send_status(c->ws.next_layer(), http::status::forbidden, req.version());
      co_return;
    }
    c->ws.set_option(websocket::stream_base::decorator([](websocket::response_type& r) {
      r.set(http::field::sec_websocket_protocol, "liveblog.v2");
    }));
    co_await c->ws.async_accept(req, use_awaitable);
  } else {
    co_await c->ws.async_accept(req, use_awaitable); // expect: errorshield-ws-handshake-origin
  }
  conns.emplace(id, c);
  co_await pump_messages(c, conns, id);
}

// Legacy port for app builds <= 5.x. We sniff the first bytes to answer the
// load balancer's health probe, then let Beast finish parsing the upgrade.
awaitable<void> serve_legacy_port(tcp::socket sock, conn_map& conns, std::uint64_t id) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  auto n = co_await stream.async_read_some(buf.prepare(512), use_awaitable);
  buf.commit(n);
  auto head = beast::buffers_to_string(buf.data());
  if (head.rfind("GET /healthz", 0) == 0) {
    static const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    co_await net::async_write(stream, net::buffer(ok), use_awaitable);
    co_return;
  }
  auto c = std::make_shared<conn_state>(std::move(stream));
  co_await c->ws.async_accept(buf.data(), use_awaitable); // expect: errorshield-ws-handshake-origin
  conns.emplace(id, c);
  co_await pump_messages(c, conns, id);
}

enum class port_kind { reader, editor, moderation, comments, legacy };

awaitable<void> listen(tcp::acceptor acc, port_kind kind, const newsroom_cfg& cfg,
                       conn_map& conns) {
  std::uint64_t next_id = 1;
  for (;;) {
    tcp::socket sock = co_await acc.async_accept(use_awaitable);
    auto ex = acc.get_executor();
    auto id = next_id++;
    switch (kind) {
      case port_kind::reader:
        net::co_spawn(ex, serve_reader(std::move(sock), cfg, conns, id), net::detached);
        break;
      case port_kind::editor:
        net::co_spawn(ex, serve_editor(std::move(sock), cfg, conns, id), net::detached);
        break;
      case port_kind::moderation:
        net::co_spawn(ex, serve_moderation(std::move(sock), cfg, conns, id), net::detached);
        break;
      case port_kind::comments:
        net::co_spawn(ex, serve_comments(std::move(sock), cfg, conns, id), net::detached);
        break;
      case port_kind::legacy:
        net::co_spawn(ex, serve_legacy_port(std::move(sock), conns, id), net::detached);
        break;
    }
  }
}
