// checks: errorshield-upgrade-header
// University student portal reverse proxy. Front door terminates TLS for
// students; behind it sit in-cluster services (grades, timetable) reachable
// over cleartext, plus external TLS services (SSO, library catalogue).
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace portal {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Base64url SETTINGS frame payload we advertise to h2c-capable backends.
constexpr std::string_view kH2Settings = "AAMAAABkAAQAAP__";

void offer_h2c(Request& req) {
    req.set(http::field::connection, "Upgrade, HTTP2-Settings");
    req.set(http::field::upgrade, "h2c");
    req.set("HTTP2-Settings", std::string(kH2Settings));
}

void strip_hop_by_hop(Request& req) {
    req.erase(http::field::connection);
    req.erase(http::field::upgrade);
    req.erase("HTTP2-Settings");
    req.erase(http::field::keep_alive);
    req.erase(http::field::proxy_authorization);
    req.erase(http::field::te);
}

struct Backend {
    std::string host;
    std::string port;
    bool tls = false;
};

// OK: grades service is in-cluster cleartext, h2c upgrade is what it expects.
Response forward_to_grades(net::io_context& ioc, const Backend& be, Request req) {
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.connect(resolver.resolve(be.host, be.port));

    req.set(http::field::host, be.host);
    offer_h2c(req);
    http::write(stream, req);

    beast::flat_buffer buf;
    Response res;
    http::read(stream, buf, res);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return res;
}

// Library catalogue is run by a vendor and only reachable over HTTPS.
Response forward_to_library(net::io_context& ioc, ssl::context& ctx, const Backend& be, Request req) {
    tcp::resolver resolver(ioc);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    if (!SSL_set_tlsext_host_name(stream.native_handle(), be.host.c_str())) {
        throw beast::system_error(beast::error_code(static_cast<int>(::ERR_get_error()),
                                                    net::error::get_ssl_category()));
    }
    beast::get_lowest_layer(stream).connect(resolver.resolve(be.host, be.port));
    stream.handshake(ssl::stream_base::client);

    req.set(http::field::host, be.host);
    offer_h2c(req); // expect: errorshield-upgrade-header
    http::write(stream, req);

    beast::flat_buffer buf;
    Response res;
    http::read(stream, buf, res);
    beast::error_code ec;
    stream.shutdown(ec);
    return res;
}

// OK: hop-by-hop headers (including any h2c offer) are removed before TLS.
Response forward_to_timetable_export(net::io_context& ioc, ssl::context& ctx, const Backend& be, Request req) {
    tcp::resolver resolver(ioc);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    SSL_set_tlsext_host_name(stream.native_handle(), be.host.c_str());
    beast::get_lowest_layer(stream).connect(resolver.resolve(be.host, be.port));
    stream.handshake(ssl::stream_base::client);

    strip_hop_by_hop(req);
    req.set(http::field::host, be.host);
    http::write(stream, req);

    beast::flat_buffer buf;
    Response res;
    http::read(stream, buf, res);
    beast::error_code ec;
    stream.shutdown(ec);
    return res;
}

// SSO token exchange relays the client's request to the identity provider.
Response relay_to_sso(beast::ssl_stream<beast::tcp_stream>& idp, const Request& client_req) {
    Request out{client_req.method(), client_req.target(), 11};
    out.set(http::field::host, "sso.uni.example");
    out.set(http::field::content_type, client_req[http::field::content_type]);
    out.set(http::field::authorization, client_req[http::field::authorization]);
    out.set(http::field::accept_language, client_req[http::field::accept_language]);
    if (auto it = client_req.find("HTTP2-Settings"); it != client_req.end()) {
        out.set("HTTP2-Settings", it->value()); // expect: errorshield-upgrade-header
    }
    out.body() = client_req.body();
    out.prepare_payload();
    http::write(idp, out);

    beast::flat_buffer buf;
    Response res;
    http::read(idp, buf, res);
    return res;
}

// Front door: students connect over TLS.
class TlsSession : public std::enable_shared_from_this<TlsSession> {
public:
    TlsSession(tcp::socket sock, ssl::context& ctx) : stream_(std::move(sock), ctx) {}

    void handle(const Request& req) {
        Response res{http::status::ok, req.version()};
        if (req[http::field::upgrade] == "h2c") {
            std::clog << "student client offered h2c over TLS, answering HTTP/1.1\n";
        }
        if (beast::iequals(req[http::field::upgrade], "h2c") && req.target() == "/api/live-grades") {
            res.result(http::status::switching_protocols);
            res.set(http::field::connection, "Upgrade");
            res.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
        } else {
            res.set(http::field::content_type, "application/json");
            res.body() = R"({"status":"ok"})";
        }
        res.prepare_payload();
        http::write(stream_, res);
    }

private:
    beast::ssl_stream<beast::tcp_stream> stream_;
};

// Internal listener for the campus monitoring network, plain TCP.
class PlainSession {
public:
    explicit PlainSession(tcp::socket sock) : stream_(std::move(sock)) {}

    // OK: cleartext listener, 101 to h2c is the RFC 7540 flow.
    void handle(const Request& req) {
        Response res{http::status::ok, req.version()};
        if (beast::iequals(req[http::field::upgrade], "h2c") && req.count("HTTP2-Settings") != 0) {
            res.result(http::status::switching_protocols);
            res.set(http::field::connection, "Upgrade");
            res.set(http::field::upgrade, "h2c");
        }
        res.prepare_payload();
        http::write(stream_, res);
    }

private:
    beast::tcp_stream stream_;
};

// OK: WebSocket upgrade over TLS for the notifications feed is fine.
void request_notifications(beast::ssl_stream<beast::tcp_stream>& s, const std::string& key) {
    Request req{http::verb::get, "/notifications", 11};
    req.set(http::field::host, "notify.uni.example");
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::sec_websocket_version, "13");
    req.set(http::field::sec_websocket_key, key);
    http::write(s, req);
}

// Timetable push is async; enrolment snapshots go to the registrar over HTTPS.
net::awaitable<void> push_enrolment_snapshot(beast::ssl_stream<beast::tcp_stream>& registrar,
                                             std::string student_id, std::string body) {
    Request req{http::verb::post, "/enrolment/" + student_id, 11};
    req.set(http::field::host, "registrar.uni.example");
    req.set(http::field::content_type, "application/json");
    req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    req.set("HTTP2-Settings", std::string(kH2Settings)); // expect: errorshield-upgrade-header
    req.body() = std::move(body);
    req.prepare_payload();

    beast::get_lowest_layer(registrar).expires_after(std::chrono::seconds(15));
    co_await http::async_write(registrar, req, net::use_awaitable);

    beast::flat_buffer buf;
    Response res;
    co_await http::async_read(registrar, buf, res, net::use_awaitable);
    if (res.result() != http::status::ok) {
        std::clog << "registrar rejected snapshot for " << student_id << '\n';
    }
}

// OK: same push to the in-cluster audit log over cleartext.
net::awaitable<void> push_audit(beast::tcp_stream& audit, std::string body) {
    Request req{http::verb::post, "/audit", 11};
    req.set(http::field::host, "audit.svc.cluster.local");
    req.set(http::field::connection, "Upgrade, HTTP2-Settings");
    req.set(http::field::upgrade, "h2c");
    req.set("HTTP2-Settings", std::string(kH2Settings));
    req.body() = std::move(body);
    req.prepare_payload();

    audit.expires_after(std::chrono::seconds(5));
    co_await http::async_write(audit, req, net::use_awaitable);
    beast::flat_buffer buf;
    Response res;
    co_await http::async_read(audit, buf, res, net::use_awaitable);
}

} // namespace portal
