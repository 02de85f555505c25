// checks: errorshield-upgrade-header
// Edge proxy in front of the chat backend: terminates TLS from browsers,
// applies auth, and relays requests to backend pods over cleartext HTTP/1.1.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include <array>
#include <string>
#include <string_view>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;

using ClientRequest = http::request<http::string_body>;
using BackendRequest = http::request<http::string_body>;

namespace {

bool is_hop_by_hop(std::string_view name) {
    static constexpr std::array<std::string_view, 9> kHop = {
        "connection", "keep-alive", "proxy-connection", "te", "trailer",
        "transfer-encoding", "upgrade", "http2-settings", "proxy-authorization"};
    for (auto h : kHop)
        if (beast::iequals(h, name))
            return true;
    return false;
}

void add_forwarded(BackendRequest& out, const std::string& client_ip) {
    out.set("X-Forwarded-For", client_ip);
    out.set("X-Forwarded-Proto", "https");
}

}  // namespace

class EdgeProxy {
public:
    EdgeProxy(beast::ssl_stream<beast::tcp_stream>& client, beast::tcp_stream& backend)
        : client_(client), backend_(backend) {}

    // REST API: copy end-to-end headers, drop hop-by-hop ones.
    void relay_api(const ClientRequest& in, const std::string& client_ip) {
        BackendRequest out{in.method(), in.target(), 11};
        for (const auto& f : in) {
            if (is_hop_by_hop(f.name_string()))
                continue;
            out.set(f.name_string(), f.value());
        }
        add_forwarded(out, client_ip);
        out.body() = in.body();
        out.prepare_payload();
        http::write(backend_, out);
    }

    // Static assets: the "fast path" added for the CDN origin pull.
    void relay_static(const ClientRequest& in, const std::string& client_ip) {
        BackendRequest out{in.method(), in.target(), 11};
        for (const auto& f : in)
            out.set(f.name_string(), f.value()); // expect: errorshield-upgrade-header
        add_forwarded(out, client_ip);
        http::write(backend_, out);
    }

    // WebSocket chat: only a genuine WebSocket upgrade is passed through,
    // and the upgrade headers are rebuilt rather than copied.
    void relay_websocket(const ClientRequest& in, const std::string& client_ip) {
        if (!websocket::is_upgrade(in) || !beast::iequals(in[http::field::upgrade], "websocket")) {
            reject(in, http::status::bad_request);
            return;
        }
        BackendRequest out{http::verb::get, in.target(), 11};
        out.set(http::field::host, "chat-backend.internal");
        out.set(http::field::connection, "Upgrade");
        out.set(http::field::upgrade, "websocket");
        out.set(http::field::sec_websocket_key, in[http::field::sec_websocket_key]);
        out.set(http::field::sec_websocket_version, in[http::field::sec_websocket_version]);
        add_forwarded(out, client_ip);
        http::write(backend_, out);
    }

    // Long-poll fallback for old clients; keeps whatever protocol switch the
    // client asked for so the backend can decide.
    void relay_longpoll(const ClientRequest& in, const std::string& client_ip) {
        BackendRequest out{in.method(), in.target(), 11};
        out.set(http::field::host, "chat-backend.internal");
        out.set(http::field::cookie, in[http::field::cookie]);
        out.set(http::field::upgrade, in[http::field::upgrade]); // expect: errorshield-upgrade-header
        add_forwarded(out, client_ip);
        http::write(backend_, out);
    }

    // Presence API: whole request copied, then the header the backend
    // complained about is removed.
    void relay_presence(const ClientRequest& in, const std::string& client_ip) {
        BackendRequest out = in; // expect: errorshield-upgrade-header
        out.erase(http::field::keep_alive);
        add_forwarded(out, client_ip);
        http::write(backend_, out);
    }

    // Upload API: whole request copied, then hop-by-hop headers scrubbed.
    void relay_upload(const ClientRequest& in, const std::string& client_ip) {
        BackendRequest out = in;
        out.erase(http::field::connection);
        out.erase(http::field::upgrade);
        out.erase(http::field::http2_settings);
        out.erase(http::field::keep_alive);
        out.erase(http::field::proxy_connection);
        out.erase(http::field::te);
        add_forwarded(out, client_ip);
        out.prepare_payload();
        http::write(backend_, out);
    }

    // Responses to browsers go out over TLS.
    void reply_ok(const ClientRequest& in, std::string body) {
        http::response<http::string_body> res{http::status::ok, in.version()};
        res.set(http::field::server, "edge-proxy");
        res.set(http::field::content_type, "application/json");
        res.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
        res.keep_alive(in.keep_alive());
        res.body() = std::move(body);
        res.prepare_payload();
        http::write(client_, res);
    }

    void reject(const ClientRequest& in, http::status st) {
        http::response<http::string_body> res{st, in.version()};
        res.set(http::field::server, "edge-proxy");
        res.set(http::field::connection, "close");
        res.body() = "rejected";
        res.prepare_payload();
        http::write(client_, res);
    }

private:
    beast::ssl_stream<beast::tcp_stream>& client_;
    beast::tcp_stream& backend_;
};

// Internal health listener (cleartext, cluster-only) that supports the h2c
// upgrade for the mesh prober.
void answer_h2c_probe(beast::tcp_stream& plain, const ClientRequest& in) {
    http::response<http::empty_body> res{http::status::switching_protocols, in.version()};
    res.set(http::field::connection, "Upgrade");
    res.set(http::field::upgrade, "h2c");
    http::write(plain, res);
}
