// checks: errorshield-ws-close-code
// Rack PDU telemetry collector.  Metered PDUs stream outlet readings over
// WebSocket (TLS for current firmware, plain TCP for the older units on the
// management VLAN); NOC dashboards subscribe to per-row feeds.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace pdu {

// Codes shared with the dashboard front-end.
struct CloseCodes {
    static constexpr std::uint16_t rack_decommissioned = 4100;
    static constexpr std::uint16_t duplicate_serial = 4101;
    static constexpr std::uint16_t tls_identity_mismatch = 1015;
    static constexpr std::uint16_t registered_app_range = 3050;
};

// Alarm numbers as reported by the PDU firmware.
enum class Alarm : std::uint16_t {
    overcurrent = 901,
    breaker_trip = 902,
    over_temperature = 903,
};

struct OutletReading {
    int outlet = 0;
    double amps = 0;
    double watts = 0;
};

struct Sample {
    std::string serial;
    std::string row;
    double volts = 0;
    std::vector<OutletReading> outlets;
    std::optional<Alarm> alarm;
};

inline std::optional<Sample> parse_sample(const std::string& text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("serial"))
        return std::nullopt;
    Sample s;
    s.serial = j.value("serial", std::string{});
    s.row = j.value("row", std::string{});
    s.volts = j.value("volts", 0.0);
    for (const auto& o : j.value("outlets", json::array()))
        s.outlets.push_back({o.value("id", 0), o.value("amps", 0.0), o.value("watts", 0.0)});
    if (j.contains("alarm"))
        s.alarm = static_cast<Alarm>(j["alarm"].get<std::uint16_t>());
    return s;
}

class Registry {
public:
    bool claim(const std::string& serial) {
        std::lock_guard lk(mu_);
        return serials_.emplace(serial, std::chrono::steady_clock::now()).second;
    }
    void release(const std::string& serial) {
        std::lock_guard lk(mu_);
        serials_.erase(serial);
    }
    bool decommissioned(const std::string& serial) {
        std::lock_guard lk(mu_);
        return retired_.count(serial) != 0;
    }
    void record_peer_close(std::uint16_t code) {
        std::lock_guard lk(mu_);
        if (code == websocket::close_code::abnormal || code == websocket::close_code::no_status)
            ++unclean_disconnects_;
    }

private:
    std::mutex mu_;
    std::map<std::string, std::chrono::steady_clock::time_point> serials_;
    std::map<std::string, bool> retired_;
    std::size_t unclean_disconnects_ = 0;
};

// Turns whatever code an upstream component picked into one a peer will accept.
inline websocket::close_reason checked_reason(std::uint16_t code, std::string_view text) {
    const bool reserved = code == 1004 || code == 1005 || code == 1006 || code == 1014 || code == 1015;
    if (code < 1000 || code > 4999 || reserved || (code > 1015 && code < 3000))
        code = websocket::close_code::internal_error;
    return {static_cast<websocket::close_code>(code), text};
}

// Common behaviour for PDU links regardless of transport.
class PduLink : public std::enable_shared_from_this<PduLink> {
public:
    explicit PduLink(Registry& reg) : reg_(reg) {}
    virtual ~PduLink() = default;
    virtual void start() = 0;

protected:
    virtual void disconnect(const websocket::close_reason& cr) = 0;

    void handle_sample(const std::string& text) {
        auto s = parse_sample(text);
        if (!s) {
            disconnect({websocket::close_code::bad_payload, "unparseable sample"});
            return;
        }
        if (serial_.empty()) {
            if (reg_.decommissioned(s->serial)) {
                disconnect({static_cast<websocket::close_code>(CloseCodes::rack_decommissioned), "retired"});
                return;
            }
            if (!reg_.claim(s->serial)) {
                disconnect({static_cast<websocket::close_code>(CloseCodes::duplicate_serial), "serial in use"});
                return;
            }
            serial_ = s->serial;
        }
        if (s->alarm) {
            on_alarm(*s->alarm);
            return;
        }
        if (s->outlets.size() > 48) {
            disconnect(websocket::close_code::too_big);
            return;
        }
        publish(*s);
    }

    virtual void on_alarm(Alarm a) {
        std::cerr << serial_ << " alarm " << static_cast<int>(a) << "\n";
        disconnect(checked_reason(static_cast<std::uint16_t>(a), "pdu alarm"));
    }

    void publish(const Sample& s) { std::cout << s.serial << " " << s.volts << "V\n"; }

    void finished(std::uint16_t peer_code) {
        reg_.record_peer_close(peer_code);
        if (!serial_.empty())
            reg_.release(serial_);
    }

    Registry& reg_;
    std::string serial_;
};

class SecurePduLink : public PduLink {
public:
    SecurePduLink(tcp::socket s, ssl::context& ctx, Registry& reg) : PduLink(reg), ws_(std::move(s), ctx) {}

    void start() override {
        beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(15));
        ws_.next_layer().async_handshake(ssl::stream_base::server,
                                         [self = shared_from_this(), this](beast::error_code ec) {
                                             if (ec)
                                                 return;
                                             on_tls();
                                         });
    }

protected:
    void disconnect(const websocket::close_reason& cr) override {
        ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {});
    }

private:
    void on_tls() {
        beast::get_lowest_layer(ws_).expires_never();
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.read_message_max(256 * 1024);
        ws_.async_accept([self = shared_from_this(), this](beast::error_code ec) {
            if (ec)
                return;
            if (!peer_identity_ok()) {
                ws_.async_close(CloseCodes::tls_identity_mismatch, [self](beast::error_code) {}); // expect: errorshield-ws-close-code
                return;
            }
            read();
        });
    }

    bool peer_identity_ok() {
        X509* cert = SSL_get_peer_certificate(ws_.next_layer().native_handle());
        const bool ok = cert != nullptr;
        if (cert)
            X509_free(cert);
        return ok;
    }

    void read() {
        ws_.async_read(buf_, [self = shared_from_this(), this](beast::error_code ec, std::size_t) {
            if (ec) {
                finished(ws_.reason().code);
                return;
            }
            auto text = beast::buffers_to_string(buf_.data());
            buf_.consume(buf_.size());
            handle_sample(text);
            read();
        });
    }

    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
    beast::flat_buffer buf_;
};

class LegacyPduLink : public PduLink {
public:
    LegacyPduLink(tcp::socket s, Registry& reg) : PduLink(reg), ws_(std::move(s)) {}

    void start() override {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.read_message_max(64 * 1024);
        ws_.async_accept([self = shared_from_this(), this](beast::error_code ec) {
            if (!ec)
                read();
        });
    }

protected:
    void disconnect(const websocket::close_reason& cr) override {
        ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {});
    }

    // Older firmware only knows breaker trips; it reconnects on its own.
    void on_alarm(Alarm a) override {
        if (a == Alarm::breaker_trip) {
            disconnect(static_cast<std::uint16_t>(Alarm::breaker_trip)); // expect: errorshield-ws-close-code
            return;
        }
        PduLink::on_alarm(a);
    }

private:
    void read() {
        ws_.async_read(buf_, [self = shared_from_this(), this](beast::error_code ec, std::size_t) {
            if (ec) {
                finished(ws_.reason().code);
                return;
            }
            auto text = beast::buffers_to_string(buf_.data());
            buf_.consume(buf_.size());
            handle_sample(text);
            read();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buf_;
};

// Used when the collector is shedding load or draining for maintenance.
template <class Ws>
void shed(Ws& ws, bool maintenance) {
    beast::error_code ec;
    if (maintenance)
        ws.close(websocket::close_code::service_restart, ec);
    else
        ws.close(websocket::close_code::no_status, ec); // expect: errorshield-ws-close-code
}

inline void end_feed(websocket::stream<beast::tcp_stream>& ws, std::uint16_t code) {
    beast::error_code ec;
    ws.close(code, ec);
}

// Dashboard feed: a NOC screen subscribes to one row and gets a summary per tick.
net::awaitable<void> dashboard(tcp::socket sock, Registry& reg, bool draining) {
    websocket::stream<beast::tcp_stream> ws(std::move(sock));
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws.read_message_max(4096);
    co_await ws.async_accept(net::use_awaitable);

    if (draining) {
        shed(ws, true);
        co_return;
    }

    beast::flat_buffer buf;
    auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable));
    if (ec)
        co_return;
    json sub = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    if (sub.is_discarded() || !sub.contains("row")) {
        co_await ws.async_close(websocket::close_code::policy_error, net::use_awaitable);
        co_return;
    }
    const int version = sub.value("api", 1);
    if (version > 3) {
        end_feed(ws, 5001); // expect: errorshield-ws-close-code
        co_return;
    }
    if (version < 2) {
        end_feed(ws, CloseCodes::registered_app_range);
        co_return;
    }

    net::steady_timer tick(co_await net::this_coro::executor);
    for (int i = 0; i < 3600; ++i) {
        tick.expires_after(std::chrono::seconds(1));
        co_await tick.async_wait(net::use_awaitable);
        json frame{{"row", sub["row"]}, {"tick", i}};
        auto [wec, wn] = co_await ws.async_write(net::buffer(frame.dump()), net::as_tuple(net::use_awaitable));
        if (wec == beast::error::timeout) {
            co_await ws.async_close(websocket::close_code::abnormal, net::use_awaitable); // expect: errorshield-ws-close-code
            co_return;
        }
        if (wec)
            co_return;
    }
    co_await ws.async_close(websocket::close_code::going_away, net::use_awaitable);
}

} // namespace pdu

template <class OnSocket>
net::awaitable<void> accept_loop(net::io_context& ioc, unsigned short port, OnSocket on_socket) {
    tcp::acceptor acc(ioc, {tcp::v4(), port});
    for (;;)
        on_socket(co_await acc.async_accept(net::use_awaitable));
}

int main() {
    net::io_context ioc;
    ssl::context ctx(ssl::context::tls_server);
    ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    pdu::Registry reg;

    net::co_spawn(ioc, accept_loop(ioc, 9443, [&](tcp::socket s) {
        std::make_shared<pdu::SecurePduLink>(std::move(s), ctx, reg)->start();
    }), net::detached);
    net::co_spawn(ioc, accept_loop(ioc, 9080, [&](tcp::socket s) {
        std::make_shared<pdu::LegacyPduLink>(std::move(s), reg)->start();
    }), net::detached);
    net::co_spawn(ioc, accept_loop(ioc, 9090, [&](tcp::socket s) {
        net::co_spawn(ioc, pdu::dashboard(std::move(s), reg, false), net::detached);
    }), net::detached);
    ioc.run();
}
