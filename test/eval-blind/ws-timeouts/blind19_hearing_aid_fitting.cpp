// checks: errorshield-ws-timeouts
// Remote hearing-aid fitting gateway. Patients' phone apps and clinicians'
// consoles meet here over WebSocket; gain/compression tweaks flow from the
// clinician to the patient's aids, audiograms and telemetry flow back, and the
// gateway relays fitting records to the manufacturer's cloud.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace fitting {

using plain_ws = websocket::stream<beast::tcp_stream>;

// Timeouts used for all patient-facing sockets.
void apply_clinic_timeouts(plain_ws& ws) {
    websocket::stream_base::timeout opt{};
    opt.handshake_timeout = 15s;
    opt.idle_timeout = 120s;
    opt.keep_alive_pings = true;
    ws.set_option(opt);
}

// Real-ear measurement sessions sit quiet for a long time while the patient
// listens to calibration sweeps.
void prepare_long_session(plain_ws& ws) {
    auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
    opt.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
    ws.set_option(opt);
}

class Room;

struct Peer {
    virtual ~Peer() = default;
    virtual void deliver(std::string msg) = 0;
};

class Room {
public:
    void join(const std::string& fitting_id, const std::string& role, std::weak_ptr<Peer> p) {
        std::lock_guard<std::mutex> lk(mu_);
        members_[fitting_id + "/" + role] = std::move(p);
    }
    void relay(const std::string& fitting_id, const std::string& to_role, const std::string& msg) {
        std::shared_ptr<Peer> target;
        {
            std::lock_guard<std::mutex> lk(mu_);
            auto it = members_.find(fitting_id + "/" + to_role);
            if (it != members_.end()) target = it->second.lock();
        }
        if (target) target->deliver(msg);
    }

private:
    std::mutex mu_;
    std::map<std::string, std::weak_ptr<Peer>> members_;
};

// Common read/write plumbing for a plain WebSocket peer.
class WsPeer : public Peer, public std::enable_shared_from_this<WsPeer> {
public:
    WsPeer(tcp::socket s, Room& room, std::string role)
        : ws_(std::move(s)), room_(room), role_(std::move(role)) {}

    void deliver(std::string msg) override {
        asio::post(ws_.get_executor(), [self = shared_from_this(), m = std::move(msg)]() mutable {
            self->outbox_.push_back(std::move(m));
            if (self->outbox_.size() == 1) self->write_next();
        });
    }

protected:
    void on_accept(beast::error_code ec) {
        if (ec) return;
        read_next();
    }

    void read_next() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
            self->buf_.consume(self->buf_.size());
            if (j.is_object()) {
                std::string fid = j.value("fitting", "");
                if (j.value("type", "") == "hello") self->room_.join(fid, self->role_, self);
                else self->room_.relay(fid, self->role_ == "clinician" ? "patient" : "clinician", j.dump());
            }
            self->read_next();
        });
    }

    void write_next() {
        ws_.text(true);
        ws_.async_write(asio::buffer(outbox_.front()),
                        [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) return;
                            self->outbox_.pop_front();
                            if (!self->outbox_.empty()) self->write_next();
                        });
    }

    plain_ws ws_;
    Room& room_;
    std::string role_;
    beast::flat_buffer buf_;
    std::deque<std::string> outbox_;
};

// Patient app: upgrade request is read first so we can check the app token.
class PatientSession : public WsPeer {
public:
    using WsPeer::WsPeer;
    void run() {
        beast::get_lowest_layer(ws_).expires_after(10s);
        http::async_read(beast::get_lowest_layer(ws_), http_buf_, req_,
                         [self = std::static_pointer_cast<PatientSession>(shared_from_this())](
                             beast::error_code ec, std::size_t) {
                             if (ec || !websocket::is_upgrade(self->req_)) return;
                             beast::get_lowest_layer(self->ws_).expires_never();
                             self->ws_.set_option(websocket::stream_base::timeout::suggested(
                                 beast::role_type::server));
                             self->ws_.async_accept(self->req_, [self](beast::error_code ec2) {
                                 self->on_accept(ec2);
                             });
                         });
    }

private:
    beast::flat_buffer http_buf_;
    http::request<http::string_body> req_;
};

// Clinician console.
class ClinicianSession : public WsPeer {
public:
    using WsPeer::WsPeer;
    void run() {
        ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
            res.set(http::field::server, "fitting-gw/3.2");
        }));
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-timeouts
            std::static_pointer_cast<ClinicianSession>(self)->on_accept(ec);
        });
    }
};

// Real-ear measurement rig in the clinic booth.
class RemSession : public WsPeer {
public:
    using WsPeer::WsPeer;
    void run() {
        prepare_long_session(ws_);
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            std::static_pointer_cast<RemSession>(self)->on_accept(ec);
        });
    }
};

// Audiogram upload channel for partner clinics (TLS).
template <class NextLayer>
class AudiogramChannel : public std::enable_shared_from_this<AudiogramChannel<NextLayer>> {
public:
    template <class... Args>
    explicit AudiogramChannel(Args&&... args) : ws_(std::forward<Args>(args)...) {}

    void run() {
        ws_.set_option(websocket::stream_base::timeout{websocket::stream_base::none(), websocket::stream_base::none(), false}); // expect: errorshield-ws-timeouts
        ws_.next_layer().async_handshake(
            ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
                if (ec) return;
                self->ws_.async_accept([self](beast::error_code ec2) {
                    if (!ec2) self->read();
                });
            });
    }

private:
    void read() {
        ws_.async_read(buf_, [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
            if (ec) return;
            std::cout << "audiogram bytes " << n << "\n";
            self->buf_.consume(n);
            self->read();
        });
    }

    websocket::stream<NextLayer> ws_;
    beast::flat_buffer buf_;
};

// Firmware push to a single hearing aid via the patient's phone.
asio::awaitable<void> firmware_push(tcp::socket sock, std::string image) {
    plain_ws ws(std::move(sock));
    try {
        http::request<http::string_body> req;
        beast::flat_buffer buf;
        co_await http::async_read(ws.next_layer(), buf, req, asio::use_awaitable);
        co_await ws.async_accept(req, asio::use_awaitable); // expect: errorshield-ws-timeouts
        ws.binary(true);
        for (std::size_t off = 0; off < image.size(); off += 4096) {
            auto n = std::min<std::size_t>(4096, image.size() - off);
            co_await ws.async_write(asio::buffer(image.data() + off, n), asio::use_awaitable);
            beast::flat_buffer ack;
            co_await ws.async_read(ack, asio::use_awaitable);
        }
        co_await ws.async_close(websocket::close_code::normal, asio::use_awaitable);
    } catch (const std::exception& e) {
        std::cerr << "firmware push: " << e.what() << "\n";
    }
}

// Session replay viewer for supervisors.
asio::awaitable<void> replay_viewer(tcp::socket sock) {
    plain_ws ws(std::move(sock));
    apply_clinic_timeouts(ws);
    try {
        co_await ws.async_accept(asio::use_awaitable);
        beast::flat_buffer buf;
        for (;;) {
            co_await ws.async_read(buf, asio::use_awaitable);
            buf.consume(buf.size());
        }
    } catch (const std::exception&) {
    }
}

// Uplink to the manufacturer's fitting cloud.
class CloudUplink : public std::enable_shared_from_this<CloudUplink> {
public:
    CloudUplink(asio::io_context& ioc, ssl::context& ctx, std::string host, bool telemetry)
        : resolver_(ioc), ws_(ioc, ctx), host_(std::move(host)), telemetry_(telemetry) {}

    void start() {
        resolver_.async_resolve(host_, "443", [self = shared_from_this()](beast::error_code ec,
                                                                          tcp::resolver::results_type r) {
            if (ec) return;
            beast::get_lowest_layer(self->ws_).expires_after(30s);
            beast::get_lowest_layer(self->ws_).async_connect(r, [self](beast::error_code ec2, auto) {
                if (ec2) return;
                SSL_set_tlsext_host_name(self->ws_.next_layer().native_handle(), self->host_.c_str());
                self->ws_.next_layer().async_handshake(ssl::stream_base::client, [self](beast::error_code ec3) {
                    if (ec3) return;
                    beast::get_lowest_layer(self->ws_).expires_never();
                    if (self->telemetry_) self->ws_.set_option(websocket::stream_base::timeout{30s, 90s, true});
                    self->upgrade();
                });
            });
        });
    }

private:
    void upgrade() {
        if (telemetry_) {
            ws_.async_handshake(host_, "/v2/telemetry", [self = shared_from_this()](beast::error_code ec) {
                if (!ec) std::cout << "telemetry uplink open\n";
            });
            return;
        }
        ws_.async_handshake(host_, "/v2/fitting-records", [self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-timeouts
            if (!ec) std::cout << "records uplink open\n";
        });
    }

    tcp::resolver resolver_;
    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
    std::string host_;
    bool telemetry_;
};

void accept_loop(tcp::acceptor& acc, Room& room, ssl::context& tls, unsigned short port) {
    acc.async_accept([&acc, &room, &tls, port](beast::error_code ec, tcp::socket s) {
        if (!ec) {
            auto ex = acc.get_executor();
            switch (port) {
            case 8443: std::make_shared<AudiogramChannel<beast::ssl_stream<beast::tcp_stream>>>(std::move(s), tls)->run(); break;
            case 9001: std::make_shared<PatientSession>(std::move(s), room, "patient")->run(); break;
            case 9002: std::make_shared<ClinicianSession>(std::move(s), room, "clinician")->run(); break;
            case 9003: std::make_shared<RemSession>(std::move(s), room, "rem")->run(); break;
            case 9004: asio::co_spawn(ex, firmware_push(std::move(s), std::string(65536, '\0')), asio::detached); break;
            default: asio::co_spawn(ex, replay_viewer(std::move(s)), asio::detached); break;
            }
        }
        accept_loop(acc, room, tls, port);
    });
}

}  // namespace fitting

int main() {
    asio::io_context ioc;
    ssl::context tls(ssl::context::tls_server);
    ssl::context client_tls(ssl::context::tls_client);
    fitting::Room room;
    std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
    for (unsigned short port : {8443, 9001, 9002, 9003, 9004, 9005}) {
        acceptors.push_back(std::make_unique<tcp::acceptor>(ioc, tcp::endpoint(tcp::v4(), port)));
        fitting::accept_loop(*acceptors.back(), room, tls, port);
    }
    std::make_shared<fitting::CloudUplink>(ioc, client_tls, "fit.example-aids.com", false)->start();
    std::make_shared<fitting::CloudUplink>(ioc, client_tls, "fit.example-aids.com", true)->start();
    ioc.run();
}
