// checks: errorshield-upgrade-header
// Teleoperation relay for the rover test programme. Operator consoles talk to the
// relay over HTTPS; the relay forwards drive/arm command batches to the ground
// station gateway (HTTPS across the WAN) or to the local terrain simulator
// (plain HTTP on the lab network) and streams telemetry back.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {
constexpr std::string_view kH2cToken = "h2c";
// SETTINGS_MAX_CONCURRENT_STREAMS=100, SETTINGS_INITIAL_WINDOW_SIZE=65535, base64url
constexpr const char* kRoverSettings = "AAMAAABkAAQAAP__";
}  // namespace

struct CommandBatch {
  std::string rover;
  std::uint64_t seq = 0;
  std::vector<json> steps;
};

// Lab simulator: cleartext HTTP/1.1 on the isolated lab VLAN. h2c is allowed here.
class SimulatorLink {
 public:
  SimulatorLink(asio::io_context& ioc, std::string host) : stream_(ioc), host_(std::move(host)) {}

  void connect(const tcp::resolver::results_type& eps) { stream_.connect(eps); }

  http::response<http::string_body> send(const CommandBatch& b) {
    http::request<http::string_body> req{http::verb::post, "/sim/v1/commands", 11};
    req.set(http::field::host, host_);
    req.set(http::field::connection, "Upgrade, HTTP2-Settings");
    req.set(http::field::upgrade, "h2c");
    req.set("HTTP2-Settings", kRoverSettings);
    req.set(http::field::content_type, "application/json");
    req.body() = json{{"rover", b.rover}, {"seq", b.seq}, {"steps", b.steps}}.dump();
    req.prepare_payload();
    http::write(stream_, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(stream_, buf, res);
    return res;
  }

 private:
  beast::tcp_stream stream_;
  std::string host_;
};

// Ground station gateway: mutually authenticated TLS over the WAN.
class GroundStationLink {
 public:
  GroundStationLink(asio::io_context& ioc, ssl::context& ctx, std::string host)
      : stream_(ioc, ctx), host_(std::move(host)) {
    decorate_ = [this](http::request<http::string_body>& req) {
      req.set(http::field::host, host_);
      req.set(http::field::user_agent, "rover-relay/3.2");
      req.insert(http::field::upgrade, kH2cToken); // expect: errorshield-upgrade-header
    };
  }

  void connect(const tcp::resolver::results_type& eps) {
    if (!SSL_set_tlsext_host_name(stream_.native_handle(), host_.c_str()))
      throw beast::system_error(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
    beast::get_lowest_layer(stream_).connect(eps);
    stream_.handshake(ssl::stream_base::client);
  }

  http::response<http::string_body> send_commands(const CommandBatch& b) {
    http::request<http::string_body> req{http::verb::post, "/gs/v2/uplink", 11};
    decorate_(req);
    req.set(http::field::content_type, "application/json");
    req.set(http::field::connection, "keep-alive");
    req.body() = json{{"rover", b.rover}, {"seq", b.seq}, {"steps", b.steps}}.dump();
    req.prepare_payload();
    return round_trip(req);
  }

  http::response<http::string_body> emergency_stop(const std::string& rover) {
    http::request<http::string_body> req{http::verb::post, "/gs/v2/estop", 11};
    req.set(http::field::host, host_);
    req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    req.body() = json{{"rover", rover}}.dump();
    req.prepare_payload();
    return round_trip(req);
  }

  http::response<http::string_body> subscribe_telemetry(const std::string& rover) {
    http::request<http::string_body> req{http::verb::get, "/gs/v2/telemetry/" + rover, 11};
    req.set(http::field::host, host_);
    req.set(http::field::accept, "application/x-ndjson");
    req.set(http::field::http2_settings, kRoverSettings); // expect: errorshield-upgrade-header
    return round_trip(req);
  }

  // Forward a batch that arrived from the simulator tooling: strip hop-by-hop h2c bits first.
  http::response<http::string_body> forward_from_lab(http::request<http::string_body> req) {
    req.erase(http::field::upgrade);
    req.erase("HTTP2-Settings");
    req.set(http::field::connection, "keep-alive");
    req.set(http::field::host, host_);
    return round_trip(req);
  }

  // Liveness probe used by the watchdog when the regular uplink stalls.
  bool probe() {
    const std::string raw = "OPTIONS * HTTP/1.1\r\nHost: " + host_ + "\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n"; // expect: errorshield-upgrade-header
    asio::write(stream_, asio::buffer(raw));
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    beast::error_code ec;
    http::read(stream_, buf, res, ec);
    return !ec && res.result_int() < 500;
  }

 private:
  http::response<http::string_body> round_trip(http::request<http::string_body>& req) {
    http::write(stream_, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(stream_, buf, res);
    return res;
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  std::string host_;
  std::function<void(http::request<http::string_body>&)> decorate_;
};

// Operator console session (HTTPS, HTTP/1.1 only; consoles negotiate h2 via ALPN on another port).
class ConsoleSession : public std::enable_shared_from_this<ConsoleSession> {
 public:
  ConsoleSession(tcp::socket sock, ssl::context& ctx, GroundStationLink& gs)
      : stream_(std::move(sock), ctx), gs_(gs) {}

  void run() {
    beast::get_lowest_layer(stream_).expires_after(30s);
    stream_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    req_ = {};
    beast::get_lowest_layer(stream_).expires_after(60s);
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->on_request();
    });
  }

  void on_request() {
    auto res = std::make_shared<http::response<http::string_body>>(http::status::ok, req_.version());
    res->set(http::field::server, "rover-relay");
    res->set(http::field::content_type, "application/json");

    if (beast::iequals(req_[http::field::upgrade], "h2c") || req_.count("HTTP2-Settings") != 0) {
      // Consoles that try a cleartext upgrade on the TLS port get told to use ALPN.
      if (req_.target() == "/legacy/uplink") {
        res->result(http::status::upgrade_required);
        res->set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
        res->set(http::field::connection, "Upgrade");
      } else {
        res->result(http::status::bad_request);
        res->erase(http::field::upgrade);
        res->set(http::field::alt_svc, "h2=\":8443\"");
      }
      res->body() = R"({"error":"use ALPN h2 on :8443"})";
    } else if (req_.method() == http::verb::post && req_.target() == "/estop") {
      auto body = json::parse(req_.body(), nullptr, false);
      if (body.is_discarded()) {
        res->result(http::status::bad_request);
      } else {
        auto gs_res = gs_.emergency_stop(body.value("rover", ""));
        res->body() = gs_res.body();
      }
    } else {
      res->result(http::status::not_found);
    }
    res->keep_alive(req_.keep_alive());
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (!ec && res->keep_alive()) self->do_read();
    });
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  GroundStationLink& gs_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
};

// Simulator-facing listener on the lab VLAN: plain TCP, so answering an h2c upgrade is legitimate.
class LabListener {
 public:
  LabListener(asio::io_context& ioc, tcp::endpoint ep) : acceptor_(ioc, ep) {}

  void serve_one() {
    tcp::socket sock = acceptor_.accept();
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    http::read(sock, buf, req);
    http::response<http::empty_body> res{http::status::switching_protocols, 11};
    res.set(http::field::connection, "Upgrade");
    res.set(http::field::upgrade, "h2c");
    http::write(sock, res);
  }

 private:
  tcp::acceptor acceptor_;
};

// Offer h2 via ALPN; the gateway picks http/1.1 for the uplink API.
static void offer_h2_via_alpn(ssl::context& ctx) {
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_tlsv1);
  static const unsigned char alpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx.native_handle(), alpn, sizeof(alpn));
}

int main() {
  asio::io_context ioc;
  ssl::context client_ctx(ssl::context::tls_client);
  client_ctx.set_default_verify_paths();
  client_ctx.set_verify_mode(ssl::verify_peer);
  offer_h2_via_alpn(client_ctx);

  ssl::context server_ctx(ssl::context::tls_server);
  server_ctx.use_certificate_chain_file("/etc/rover-relay/cert.pem");
  server_ctx.use_private_key_file("/etc/rover-relay/key.pem", ssl::context::pem);

  tcp::resolver resolver(ioc);
  GroundStationLink gs(ioc, client_ctx, "gs-gateway.mission.example");
  gs.connect(resolver.resolve("gs-gateway.mission.example", "443"));

  SimulatorLink sim(ioc, "terrain-sim.lab");
  sim.connect(resolver.resolve("terrain-sim.lab", "8080"));
  sim.send(CommandBatch{"perseverance-mk2", 1, {json{{"drive", 0.5}}}});

  tcp::acceptor acceptor(ioc, {tcp::v4(), 9443});
  std::function<void()> accept_next = [&] {
    acceptor.async_accept([&](beast::error_code ec, tcp::socket sock) {
      if (!ec) std::make_shared<ConsoleSession>(std::move(sock), server_ctx, gs)->run();
      accept_next();
    });
  };
  accept_next();
  ioc.run();
}
