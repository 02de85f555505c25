// checks: errorshield-upgrade-header
// Pull-through mirror for OCI container images. Upstream registries on the
// internet are HTTPS; sibling mirrors inside the build farm speak cleartext
// HTTP and prefer h2c for blob streaming.
#include <chrono>
#include <cstddef>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace mirror {

using Request = http::request<http::empty_body>;
using StrResponse = http::response<http::string_body>;

constexpr const char* kSettings = "AAMAAABkAARAAAAAAAIAAAAA";

template <class Stream>
struct is_tls : std::false_type {};
template <class Next>
struct is_tls<beast::ssl_stream<Next>> : std::true_type {};

// OK: guarded, h2c is only offered when the stream is cleartext.
template <class Stream>
StrResponse fetch_manifest(Stream& s, const std::string& host, const std::string& repo, const std::string& ref) {
    Request req{http::verb::get, "/v2/" + repo + "/manifests/" + ref, 11};
    req.set(http::field::host, host);
    req.set(http::field::accept, "application/vnd.oci.image.manifest.v1+json");
    if constexpr (!is_tls<Stream>::value) {
        req.set(http::field::connection, "Upgrade, HTTP2-Settings");
        req.set(http::field::upgrade, "h2c");
        req.set("HTTP2-Settings", kSettings);
    }
    http::write(s, req);

    beast::flat_buffer buf;
    StrResponse res;
    http::read(s, buf, res);
    return res;
}

// Blob downloads: only ever called with the upstream TLS connection.
template <class Stream>
std::size_t fetch_blob(Stream& s, const std::string& host, const std::string& repo,
                       const std::string& digest, std::string& out) {
    Request req{http::verb::get, "/v2/" + repo + "/blobs/" + digest, 11};
    req.set(http::field::host, host);
    req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    http::write(s, req);

    beast::flat_buffer buf;
    StrResponse res;
    http::read(s, buf, res);
    out = std::move(res.body());
    return out.size();
}

struct UpstreamConn {
    beast::ssl_stream<beast::tcp_stream> stream;
    Request pending;
    std::string host;
    std::optional<std::string> bearer;

    UpstreamConn(net::io_context& ioc, ssl::context& ctx, std::string h)
        : stream(ioc, ctx), host(std::move(h)) {}
};

class UpstreamPool {
public:
    UpstreamPool(net::io_context& ioc, ssl::context& ctx) : ioc_(ioc), ctx_(ctx) {}

    UpstreamConn& connect(const std::string& host) {
        conn_ = std::make_unique<UpstreamConn>(ioc_, ctx_, host);
        tcp::resolver r(ioc_);
        SSL_set_tlsext_host_name(conn_->stream.native_handle(), host.c_str());
        beast::get_lowest_layer(conn_->stream).connect(r.resolve(host, "443"));
        conn_->stream.handshake(ssl::stream_base::client);
        return *conn_;
    }

    UpstreamConn* current() { return conn_.get(); }

private:
    net::io_context& ioc_;
    ssl::context& ctx_;
    std::unique_ptr<UpstreamConn> conn_;
};

void prepare_tag_list(UpstreamConn* up, const std::string& repo) {
    up->pending = Request{http::verb::get, "/v2/" + repo + "/tags/list", 11};
    up->pending.set(http::field::host, up->host);
    if (up->bearer) {
        up->pending.set(http::field::authorization, "Bearer " + *up->bearer);
    }
    up->pending.set("HTTP2-Settings", kSettings); // expect: errorshield-upgrade-header
}

void send_pending(UpstreamConn* up) {
    http::write(up->stream, up->pending);
}

// Client requests relayed to upstream registries.
void relay_head(UpstreamConn& up, const http::request<http::empty_body>& client) {
    Request out{http::verb::head, client.target(), 11};
    out.set(http::field::host, up.host);
    out.set(http::field::accept, client[http::field::accept]);
    if (beast::iequals(client[http::field::upgrade], "h2c")) {
        out.set(http::field::upgrade, client[http::field::upgrade]); // expect: errorshield-upgrade-header
    }
    http::write(up.stream, out);
}

// OK: the same relay path with the hop-by-hop headers dropped.
void relay_get(UpstreamConn& up, http::request<http::empty_body> client) {
    client.erase(http::field::connection);
    client.erase(http::field::upgrade);
    client.erase("HTTP2-Settings");
    client.set(http::field::host, up.host);
    http::write(up.stream, client);
}

// OK: sibling mirror in the same rack, cleartext, h2c is fine here.
void warm_sibling(net::io_context& ioc, const std::string& sibling, const std::string& repo) {
    tcp::resolver r(ioc);
    beast::tcp_stream s(ioc);
    s.connect(r.resolve(sibling, "5000"));
    auto res = fetch_manifest(s, sibling, repo, "latest");
    std::clog << "sibling " << sibling << " answered " << res.result_int() << '\n';

    Request ping{http::verb::get, "/v2/", 11};
    ping.set(http::field::host, sibling);
    ping.set(http::field::upgrade, "h2c");
    ping.set("HTTP2-Settings", kSettings);
    http::write(s, ping);
}

// Front end: CI runners pull from us over HTTPS.
class FrontSession : public std::enable_shared_from_this<FrontSession> {
public:
    FrontSession(tcp::socket sock, ssl::context& ctx) : stream_(std::move(sock), ctx) {}

    void answer(const http::request<http::empty_body>& req) {
        StrResponse res{http::status::ok, req.version()};
        res.set(http::field::server, "registry-mirror/2.3");
        res.set("Docker-Distribution-API-Version", "registry/2.0");
        std::string_view up = req[http::field::upgrade];
        if (!up.empty()) {
            std::clog << "ignoring Upgrade: " << up << " on TLS listener\n";
        }
        if (req.target() == "/v2/") {
            res.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
            res.set(http::field::connection, "Upgrade");
        }
        res.prepare_payload();
        http::write(stream_, res);
    }

private:
    beast::ssl_stream<beast::tcp_stream> stream_;
};

void mirror_image(net::io_context& ioc, ssl::context& ctx, const std::string& upstream,
                  const std::string& repo, const std::string& digest) {
    UpstreamPool pool(ioc, ctx);
    auto& conn = pool.connect(upstream);

    auto manifest = fetch_manifest(conn.stream, upstream, repo, digest);
    if (manifest.result() != http::status::ok) {
        std::clog << "manifest fetch failed: " << manifest.result_int() << '\n';
        return;
    }

    std::string blob;
    fetch_blob(conn.stream, upstream, repo, digest, blob);

    prepare_tag_list(pool.current(), repo);
    send_pending(pool.current());
}

} // namespace mirror
