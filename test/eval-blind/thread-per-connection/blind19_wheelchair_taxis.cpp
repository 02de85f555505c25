// checks: errorshield-thread-per-connection
// Wheelchair-accessible taxi dispatch.
// Riders book ramp / lift equipped vehicles; drivers keep a live link that reports
// position and ramp status; the call centre uses a line protocol for phone bookings.

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace dispatch {

enum class Access { ramp, lift, transfer_seat };

struct Vehicle {
    std::string plate;
    Access access = Access::ramp;
    double lat = 0.0, lon = 0.0;
    bool available = true;
};

class Fleet {
public:
    void update(const std::string& plate, double lat, double lon, bool available) {
        std::lock_guard lock(mu_);
        auto& v = vehicles_[plate];
        v.plate = plate;
        v.lat = lat;
        v.lon = lon;
        v.available = available;
    }
    std::string nearest(double lat, double lon, Access need) {
        std::lock_guard lock(mu_);
        std::string best;
        double best_d = 1e18;
        for (auto& [plate, v] : vehicles_) {
            if (!v.available || v.access != need) continue;
            double d = (v.lat - lat) * (v.lat - lat) + (v.lon - lon) * (v.lon - lon);
            if (d < best_d) { best_d = d; best = plate; }
        }
        if (!best.empty()) vehicles_[best].available = false;
        return best;
    }
    std::size_t size() const {
        std::lock_guard lock(mu_);
        return vehicles_.size();
    }

private:
    mutable std::mutex mu_;
    std::map<std::string, Vehicle> vehicles_;
};

inline Access parse_access(const std::string& s) {
    if (s == "lift") return Access::lift;
    if (s == "transfer") return Access::transfer_seat;
    return Access::ramp;
}

// ---------------------------------------------------------------------------
// Phone bookings from the call centre: one line per booking, blocking protocol.
inline void handle_call_centre(tcp::socket sock, Fleet& fleet) {
    beast::error_code ec;
    asio::streambuf in;
    for (;;) {
        asio::read_until(sock, in, '\n', ec);
        if (ec) return;
        std::istream is(&in);
        std::string line;
        std::getline(is, line);
        auto j = json::parse(line, nullptr, false);
        if (j.is_discarded()) continue;
        auto plate = fleet.nearest(j.value("lat", 0.0), j.value("lon", 0.0), parse_access(j.value("access", "")));
        std::string reply = json{{"booking", j.value("ref", "")}, {"plate", plate}}.dump() + "\n";
        asio::write(sock, asio::buffer(reply), ec);
        if (ec) return;
    }
}

inline void run_call_centre_listener(unsigned short port, Fleet& fleet) {
    asio::io_context ioc;
    tcp::acceptor acceptor(ioc, {tcp::v4(), port});
    for (;;) {
        tcp::socket sock = acceptor.accept();
        std::thread(handle_call_centre, std::move(sock), std::ref(fleet)).detach(); // expect: errorshield-thread-per-connection
    }
}

// Same protocol for the hospital discharge desk, but handed to a bounded pool.
inline void run_hospital_desk_listener(unsigned short port, Fleet& fleet, asio::thread_pool& pool) {
    asio::io_context ioc;
    tcp::acceptor acceptor(ioc, {tcp::v4(), port});
    for (;;) {
        tcp::socket sock = acceptor.accept();
        asio::post(pool, [s = std::move(sock), &fleet]() mutable { handle_call_centre(std::move(s), fleet); });
    }
}

// ---------------------------------------------------------------------------
// Driver link: each driver tablet keeps a WebSocket open and reports every few seconds.
class DriverLink {
public:
    DriverLink(tcp::socket s, Fleet& fleet) : ws_(std::move(s)), fleet_(fleet) {
        pump_ = std::thread([this] { pump(); }); // expect: errorshield-thread-per-connection
    }
    ~DriverLink() {
        if (pump_.joinable()) pump_.join();
    }

private:
    void pump() {
        beast::error_code ec;
        ws_.accept(ec);
        if (ec) return;
        for (;;) {
            beast::flat_buffer buf;
            ws_.read(buf, ec);
            if (ec) return;
            auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
            if (j.is_object())
                fleet_.update(j.value("plate", ""), j.value("lat", 0.0), j.value("lon", 0.0), j.value("free", true));
        }
    }

    websocket::stream<tcp::socket> ws_;
    Fleet& fleet_;
    std::thread pump_;
};

// Rider app sessions: asynchronous, all on the shared io_context.
class RiderSession : public std::enable_shared_from_this<RiderSession> {
public:
    RiderSession(tcp::socket s, Fleet& fleet) : ws_(std::move(s)), fleet_(fleet) {}

    void start() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.read_message_max(4096);
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->read();
        });
    }

private:
    void read() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
            self->buf_.consume(self->buf_.size());
            if (j.is_object()) {
                auto plate = self->fleet_.nearest(j.value("lat", 0.0), j.value("lon", 0.0),
                                                  parse_access(j.value("access", "")));
                self->reply_ = json{{"plate", plate}}.dump();
                self->ws_.async_write(asio::buffer(self->reply_), [self](beast::error_code wec, std::size_t) {
                    if (!wec) self->read();
                });
                return;
            }
            self->read();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buf_;
    std::string reply_;
    Fleet& fleet_;
};

// ---------------------------------------------------------------------------
class DispatchServer {
public:
    DispatchServer(asio::io_context& ioc, Fleet& fleet)
        : ioc_(ioc), rider_acceptor_(ioc, {tcp::v4(), 7100}), driver_acceptor_(ioc, {tcp::v4(), 7101}),
          partner_acceptor_(ioc, {tcp::v4(), 7102}), fleet_(fleet) {}

    void start() {
        accept_riders();
        accept_drivers();
        accept_partners();
    }

    void shutdown() {
        for (auto& f : partner_jobs_) f.wait();
        drivers_.clear();
    }

private:
    void accept_riders() {
        rider_acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
            if (!ec) std::make_shared<RiderSession>(std::move(s), fleet_)->start();
            accept_riders();
        });
    }

    void accept_drivers() {
        driver_acceptor_.async_accept([this](beast::error_code ec, tcp::socket s) {
            if (!ec) {
                std::lock_guard lock(drivers_mu_);
                drivers_.push_back(std::make_unique<DriverLink>(std::move(s), fleet_));
            }
            accept_drivers();
        });
    }

    // Partner agencies (paratransit brokers) push batched trip requests over plain HTTP.
    void accept_partners() {
        partner_acceptor_.async_accept([this](beast::error_code ec, tcp::socket s) {
            if (!ec) {
                partner_jobs_.push_back(std::async(std::launch::async, [this, sock = std::move(s)]() mutable { // expect: errorshield-thread-per-connection
                    serve_partner(std::move(sock));
                }));
            }
            accept_partners();
        });
    }

    void serve_partner(tcp::socket sock) {
        beast::flat_buffer buf;
        http::request<http::string_body> req;
        beast::error_code ec;
        http::read(sock, buf, req, ec);
        if (ec) return;
        auto batch = json::parse(req.body(), nullptr, false);
        json out = json::array();
        if (batch.is_array())
            for (auto& trip : batch)
                out.push_back(fleet_.nearest(trip.value("lat", 0.0), trip.value("lon", 0.0),
                                             parse_access(trip.value("access", ""))));
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.set(http::field::content_type, "application/json");
        res.body() = out.dump();
        res.prepare_payload();
        http::write(sock, res, ec);
    }

    asio::io_context& ioc_;
    tcp::acceptor rider_acceptor_;
    tcp::acceptor driver_acceptor_;
    tcp::acceptor partner_acceptor_;
    Fleet& fleet_;
    std::mutex drivers_mu_;
    std::vector<std::unique_ptr<DriverLink>> drivers_;
    std::vector<std::future<void>> partner_jobs_;
};

// Ramp-maintenance telemetry from the depot inspection bays (plain text lines).
class DepotMonitor {
public:
    explicit DepotMonitor(unsigned short port) : acceptor_(ioc_, {tcp::v4(), port}) {}

    void run() {
        while (!stopping_) {
            tcp::socket bay = acceptor_.accept();
            bays_.emplace_back([s = std::move(bay)](std::stop_token st) mutable { // expect: errorshield-thread-per-connection
                char line[256];
                beast::error_code ec;
                while (!st.stop_requested()) {
                    auto n = s.read_some(asio::buffer(line), ec);
                    if (ec) break;
                    std::cout.write(line, static_cast<std::streamsize>(n));
                }
            });
        }
    }

    void stop() { stopping_ = true; }

private:
    asio::io_context ioc_;
    tcp::acceptor acceptor_;
    std::atomic<bool> stopping_{false};
    std::vector<std::jthread> bays_;
};

} // namespace dispatch

int main() {
    dispatch::Fleet fleet;
    asio::io_context ioc;
    asio::thread_pool desk_pool(4);
    dispatch::DispatchServer server(ioc, fleet);
    server.start();

    // Fixed set of I/O threads, sized once at startup.
    const unsigned n = std::max(2u, std::thread::hardware_concurrency());
    std::vector<std::thread> io_threads;
    io_threads.reserve(n);
    for (unsigned i = 0; i < n; ++i)
        io_threads.emplace_back([&ioc] { ioc.run(); });

    // Single background listeners, started once.
    std::thread call_centre([&fleet] { dispatch::run_call_centre_listener(7200, fleet); });
    std::thread hospital([&fleet, &desk_pool] { dispatch::run_hospital_desk_listener(7201, fleet, desk_pool); });
    std::jthread fleet_stats([&fleet](std::stop_token st) {
        while (!st.stop_requested()) {
            std::this_thread::sleep_for(std::chrono::seconds(30));
            std::cout << "fleet size " << fleet.size() << "\n";
        }
    });
    dispatch::DepotMonitor depot(7300);
    std::thread depot_thread([&depot] { depot.run(); });

    for (auto& t : io_threads) t.join();
    call_centre.join();
    hospital.join();
    depot_thread.join();
}
