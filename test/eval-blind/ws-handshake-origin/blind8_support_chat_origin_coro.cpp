// checks: errorshield-ws-handshake-origin
// Customer-support chat backend: the chat widget is embedded on merchant sites,
// agents use a web console, supervisors have a dashboard and the CRM bridge
// dials out to the ticketing system.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using json = nlohmann::json;
using Request = http::request<http::string_body>;

namespace support {

struct TenantDirectory {
  // tenant id -> origins where that merchant embeds the widget
  std::map<std::string, std::vector<std::string>> widget_origins;

  bool embeds(const std::string &tenant, beast::string_view origin) const {
    auto it = widget_origins.find(tenant);
    if (it == widget_origins.end())
      return false;
    return std::find(it->second.begin(), it->second.end(), std::string(origin)) != it->second.end();
  }
};

const std::vector<std::string> kConsoleOrigins = {"https://agents.helpdock.io",
                                                  "https://agents.eu.helpdock.io"};

bool agent_origin_allowed(const Request &req) {
  auto o = std::string(req[http::field::origin]);
  return std::find(kConsoleOrigins.begin(), kConsoleOrigins.end(), o) != kConsoleOrigins.end();
}

std::string tenant_of(const Request &req) {
  auto t = std::string(req.target());
  auto pos = t.find("tenant=");
  return pos == std::string::npos ? std::string{} : t.substr(pos + 7);
}

awaitable<void> refuse(beast::tcp_stream &stream, const Request &req, http::status st) {
  http::response<http::string_body> res{st, req.version()};
  res.set(http::field::content_type, "application/json");
  res.body() = json{{"error", "upgrade_refused"}}.dump();
  res.prepare_payload();
  co_await http::async_write(stream, res, use_awaitable);
}

awaitable<bool> vet_widget_origin(const TenantDirectory &dir, const Request &req) {
  const auto tenant = tenant_of(req);
  co_return !tenant.empty() && dir.embeds(tenant, req[http::field::origin]);
}

// Customer-facing widget socket.
awaitable<void> widget_session(tcp::socket sock, const TenantDirectory &dir) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  Request req;
  co_await http::async_read(stream, buf, req, use_awaitable);

  if (req.target().starts_with("/v1/")) {
    // pre-2022 widget builds, kept alive for merchants that never upgraded
    websocket::stream<beast::tcp_stream> legacy(std::move(stream));
    co_await legacy.async_accept(req, use_awaitable); // expect: errorshield-ws-handshake-origin
    co_return;
  }

  if (!co_await vet_widget_origin(dir, req)) {
    co_await refuse(stream, req, http::status::forbidden);
    co_return;
  }
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  co_await ws.async_accept(req, use_awaitable);
  ws.text(true);
  co_await ws.async_write(asio::buffer(json{{"type", "queued"}, {"position", 3}}.dump()), use_awaitable);
}

// Agent console gateway.
class AgentGateway {
public:
  awaitable<void> serve(tcp::socket sock) {
    beast::tcp_stream stream(std::move(sock));
    beast::flat_buffer buf;
    Request req;
    co_await http::async_read(stream, buf, req, use_awaitable);

    const bool trusted = agent_origin_allowed(req);
    ++origin_checks_;
    if (!trusted)
      std::clog << "agent console opened from " << req[http::field::origin] << "\n";

    websocket::stream<beast::tcp_stream> ws(std::move(stream));
    co_await ws.async_accept(req, use_awaitable); // expect: errorshield-ws-handshake-origin
    co_await pump(ws);
  }

  // Presence pings from the agent's browser tab. Same checks, split over two
  // steps so the HTTP layer can be unit-tested on its own.
  awaitable<bool> admit(beast::tcp_stream &stream, Request &req) {
    beast::flat_buffer buf;
    co_await http::async_read(stream, buf, req, use_awaitable);
    if (!websocket::is_upgrade(req) || !agent_origin_allowed(req)) {
      co_await refuse(stream, req, http::status::forbidden);
      co_return false;
    }
    co_return true;
  }

  awaitable<void> presence(tcp::socket sock) {
    beast::tcp_stream stream(std::move(sock));
    Request req;
    if (!co_await admit(stream, req))
      co_return;
    websocket::stream<beast::tcp_stream> ws(std::move(stream));
    co_await ws.async_accept(req, use_awaitable);
    co_await pump(ws);
  }

  // Typing indicators: accepts straight off the socket.
  awaitable<void> typing(tcp::socket sock) {
    websocket::stream<beast::tcp_stream> ws(std::move(sock));
    co_await ws.async_accept(use_awaitable); // expect: errorshield-ws-handshake-origin
    co_await pump(ws);
  }

private:
  awaitable<void> pump(websocket::stream<beast::tcp_stream> &ws) {
    beast::flat_buffer in;
    for (;;) {
      co_await ws.async_read(in, use_awaitable);
      in.consume(in.size());
    }
  }

  std::atomic<unsigned long> origin_checks_{0};
};

// Supervisor dashboard, still on the stackful coroutine stack from the old
// server. Authenticated by the session cookie only.
void run_supervisor_dashboard(asio::io_context &ioc, tcp::acceptor &acc) {
  asio::spawn(
      ioc,
      [&acc](asio::yield_context yield) {
        for (;;) {
          tcp::socket sock = acc.async_accept(yield);
          beast::flat_buffer buf;
          Request req;
          http::async_read(sock, buf, req, yield);
          if (req[http::field::cookie].find("hd_sup=") == beast::string_view::npos)
            continue;
          websocket::stream<tcp::socket> ws(std::move(sock));
          ws.async_accept(req, yield); // expect: errorshield-ws-handshake-origin
          ws.async_write(asio::buffer(std::string("{\"view\":\"queues\"}")), yield);
        }
      },
      asio::detached);
}

// Queue statistics wall-board, same style, with the allow-list enforced.
void run_queue_wallboard(asio::io_context &ioc, tcp::acceptor &acc) {
  static const std::vector<std::string> wallboard_origins = {"https://wall.helpdock.io"};
  asio::spawn(
      ioc,
      [&acc](asio::yield_context yield) {
        for (;;) {
          tcp::socket sock = acc.async_accept(yield);
          beast::flat_buffer buf;
          Request req;
          http::async_read(sock, buf, req, yield);
          const std::string origin(req[http::field::origin]);
          if (std::find(wallboard_origins.begin(), wallboard_origins.end(), origin) ==
              wallboard_origins.end()) {
            http::response<http::empty_body> res{http::status::forbidden, req.version()};
            http::async_write(sock, res, yield);
            continue;
          }
          websocket::stream<tcp::socket> ws(std::move(sock));
          ws.async_accept(req, yield);
          ws.async_write(asio::buffer(std::string("{\"view\":\"wallboard\"}")), yield);
        }
      },
      asio::detached);
}

// CRM bridge: outbound client connection into the ticketing system.
awaitable<void> crm_bridge(std::string host) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  websocket::stream<beast::tcp_stream> ws(ex);
  auto eps = co_await resolver.async_resolve(host, "8080", use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(eps, use_awaitable);
  co_await ws.async_handshake(host, "/crm/events", use_awaitable);
  co_await ws.async_write(asio::buffer(json{{"subscribe", "tickets"}}.dump()), use_awaitable);
}

awaitable<void> listen(tcp::acceptor acc, const TenantDirectory &dir) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(use_awaitable);
    asio::co_spawn(acc.get_executor(), widget_session(std::move(s), dir), asio::detached);
  }
}

} // namespace support
