// checks: errorshield-upgrade-header
// Upstream client used by the trading gateway to pull reference data
// (instruments, holidays, quote snapshots) from the ref-data service. Inside
// the cluster mesh it talks cleartext; to the external vendor it uses TLS.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <openssl/ssl.h>

#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;

struct UpstreamConfig {
    std::string host;
    std::string user_agent = "refdata-client/2.4";
    bool prefer_http2 = true;
    std::string h2_settings_b64 = "AAMAAABkAARAAAAAAAIAAAAA";
};

class RefDataClient {
public:
    RefDataClient(UpstreamConfig cfg, beast::tcp_stream& mesh, beast::ssl_stream<beast::tcp_stream>& vendor)
        : cfg_(std::move(cfg)), mesh_(mesh), vendor_(vendor) {}

    // Vendor endpoint over TLS. HTTP/2 over TLS is negotiated through ALPN.
    static void configure_alpn(ssl::context& ctx) {
        static const unsigned char protos[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
        SSL_CTX_set_alpn_protos(ctx.native_handle(), protos, sizeof(protos));
    }

    std::string fetch_instruments(const std::string& exchange) {
        http::request<http::empty_body> req{http::verb::get, "/v1/instruments?exch=" + exchange, 11};
        req.set(http::field::host, cfg_.host);
        req.set(http::field::user_agent, cfg_.user_agent);
        req.set(http::field::accept, "application/json");
        if (cfg_.prefer_http2)
            req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
        http::write(vendor_, req);
        return read_body(vendor_);
    }

    std::string fetch_holidays(int year) {
        http::request<http::empty_body> req{http::verb::get, "/v1/calendar/" + std::to_string(year), 11};
        req.set(http::field::host, cfg_.host);
        req.set(http::field::user_agent, cfg_.user_agent);
        req.set(http::field::connection, "keep-alive");
        http::write(vendor_, req);
        return read_body(vendor_);
    }

    std::string fetch_quote_snapshot(const std::string& symbol) {
        http::request<http::empty_body> req{http::verb::get, "/v1/quotes/" + symbol, 11};
        req.set(http::field::host, cfg_.host);
        req.set(http::field::user_agent, cfg_.user_agent);
        req.insert("HTTP2-Settings", cfg_.h2_settings_b64); // expect: errorshield-upgrade-header
        http::write(vendor_, req);
        return read_body(vendor_);
    }

    // Request templates are shared between mesh and vendor paths; the
    // vendor path removes the cleartext-upgrade bits before sending.
    std::string fetch_corporate_actions(http::request<http::empty_body> tmpl) {
        tmpl.set(http::field::host, cfg_.host);
        tmpl.erase(http::field::upgrade);
        tmpl.erase(http::field::http2_settings);
        tmpl.set(http::field::connection, "keep-alive");
        http::write(vendor_, tmpl);
        return read_body(vendor_);
    }

    void post_usage_report(const std::string& json_body) {
        http::request<http::string_body> req{http::verb::post, "/v1/usage", 11};
        req.set(http::field::host, cfg_.host);
        req.set(http::field::content_type, "application/json");
        req.set(http::field::connection, "Upgrade, HTTP2-Settings"); // expect: errorshield-upgrade-header
        req.body() = json_body;
        req.prepare_payload();
        http::write(vendor_, req);
        read_body(vendor_);
    }

    // Mesh endpoint: cleartext, the sidecar accepts an h2c upgrade.
    std::string fetch_instruments_mesh(const std::string& exchange) {
        http::request<http::empty_body> req{http::verb::get, "/v1/instruments?exch=" + exchange, 11};
        req.set(http::field::host, "refdata.mesh.local");
        req.set(http::field::user_agent, cfg_.user_agent);
        if (cfg_.prefer_http2) {
            req.set(http::field::connection, "Upgrade, HTTP2-Settings");
            req.set(http::field::upgrade, "h2c");
            req.set(http::field::http2_settings, cfg_.h2_settings_b64);
        }
        http::write(mesh_, req);
        return read_body(mesh_);
    }

    http::request<http::empty_body> make_mesh_template(const std::string& target) const {
        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::upgrade, "h2c");
        req.set(http::field::http2_settings, cfg_.h2_settings_b64);
        return req;
    }

private:
    template <class Stream>
    std::string read_body(Stream& s) {
        beast::flat_buffer buf;
        http::response<http::string_body> res;
        http::read(s, buf, res);
        return res.body();
    }

    UpstreamConfig cfg_;
    beast::tcp_stream& mesh_;
    beast::ssl_stream<beast::tcp_stream>& vendor_;
};

// Streaming quotes from the vendor over secure WebSocket.
class VendorQuoteStream {
public:
    VendorQuoteStream(net::io_context& ioc, ssl::context& ctx) : ws_(ioc, ctx) {}

    void handshake(const std::string& host) {
        ws_.next_layer().handshake(ssl::stream_base::client);
        ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
            req.set(http::field::user_agent, "refdata-client/2.4");
            req.set("X-Feed-Tier", "level2");
        }));
        ws_.handshake(host, "/stream/quotes");
    }

    // Legacy feed that predates the WebSocket library: manual upgrade request.
    void legacy_upgrade(beast::ssl_stream<beast::tcp_stream>& tls, const std::string& host, const std::string& key) {
        http::request<http::empty_body> req{http::verb::get, "/legacy/feed", 11};
        req.set(http::field::host, host);
        req.set(http::field::connection, "Upgrade");
        req.set(http::field::upgrade, "websocket");
        req.set(http::field::sec_websocket_version, "13");
        req.set(http::field::sec_websocket_key, key);
        http::write(tls, req);
    }

    // Ask the vendor to switch the legacy feed to the HTTP/2 variant.
    void legacy_switch_to_h2(beast::ssl_stream<beast::tcp_stream>& tls, const std::string& host) {
        http::request<http::empty_body> req{http::verb::options, "*", 11};
        req.set(http::field::host, host);
        req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
        http::write(tls, req);
    }

private:
    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
};
