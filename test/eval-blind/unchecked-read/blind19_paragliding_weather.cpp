// checks: errorshield-unchecked-read
// Launch-site weather feed for paragliding pilots.
// Ground stations push CSV lines over TCP, a few anemometers hang off a serial
// port on the ridge server, and pilots subscribe to sites over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

struct Sample {
    std::string station;
    double wind_kmh = 0;
    double gust_kmh = 0;
    int dir_deg = 0;
    double temp_c = 0;
    long ts = 0;
};

struct LaunchSite {
    std::string id;
    int min_dir = 0;
    int max_dir = 360;
    double max_wind = 25;
};

inline void to_json(json& j, const Sample& s) {
    j = json{{"station", s.station}, {"wind", s.wind_kmh}, {"gust", s.gust_kmh},
             {"dir", s.dir_deg},     {"temp", s.temp_c},   {"ts", s.ts}};
}

static std::optional<Sample> parse_csv_line(const std::string& line) {
    std::istringstream ls(line);
    Sample s;
    char sep = 0;
    if (!std::getline(ls, s.station, ',')) return std::nullopt;
    if (!(ls >> s.wind_kmh >> sep >> s.gust_kmh >> sep >> s.dir_deg >> sep >> s.temp_c >> sep >> s.ts))
        return std::nullopt;
    return s;
}

class StationRegistry {
public:
    bool load_sites(const std::string& path) {
        std::ifstream in(path);
        if (!in) return false;
        std::string line;
        std::lock_guard lk(mu_);
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#') continue;
            std::istringstream ls(line);
            LaunchSite site;
            if (!(ls >> site.id >> site.min_dir >> site.max_dir >> site.max_wind)) continue;
            sites_[site.id] = site;
        }
        return true;
    }

    // Per-station anemometer offsets measured at the spring calibration day.
    void load_calibration(const std::string& path) {
        std::ifstream in(path);
        std::string id;
        double offset = 0;
        std::lock_guard lk(mu_);
        while (!in.eof()) {
            in >> id >> offset; // expect: errorshield-unchecked-read
            calibration_[id] = offset;
        }
    }

    void update(Sample s) {
        std::lock_guard lk(mu_);
        if (auto it = calibration_.find(s.station); it != calibration_.end()) {
            s.wind_kmh += it->second;
            s.gust_kmh += it->second;
        }
        latest_[s.station] = s;
    }

    json snapshot() {
        std::lock_guard lk(mu_);
        json out = json::array();
        for (auto& [id, s] : latest_) out.push_back(s);
        return out;
    }

    bool flyable(const std::string& site_id) {
        std::lock_guard lk(mu_);
        auto site = sites_.find(site_id);
        auto s = latest_.find(site_id);
        if (site == sites_.end() || s == latest_.end()) return false;
        return s->second.gust_kmh <= site->second.max_wind && s->second.dir_deg >= site->second.min_dir &&
               s->second.dir_deg <= site->second.max_dir;
    }

private:
    std::mutex mu_;
    std::unordered_map<std::string, LaunchSite> sites_;
    std::unordered_map<std::string, double> calibration_;
    std::unordered_map<std::string, Sample> latest_;
};

// Ground station pushing "station,wind,gust,dir,temp,ts\n" lines.
class StationLink : public std::enable_shared_from_this<StationLink> {
public:
    StationLink(tcp::socket sock, StationRegistry& reg) : sock_(std::move(sock)), reg_(reg) {}
    void start() { do_read(); }

private:
    void do_read() {
        auto self = shared_from_this();
        net::async_read_until(sock_, buf_, '\n', [self](boost::system::error_code ec, std::size_t n) { // expect: errorshield-unchecked-read
            auto begin = net::buffers_begin(self->buf_.data());
            std::string line(begin, begin + static_cast<std::ptrdiff_t>(n));
            self->buf_.consume(n);
            if (auto s = parse_csv_line(line)) self->reg_.update(*s);
            self->do_read();
        });
    }

    tcp::socket sock_;
    net::streambuf buf_;
    StationRegistry& reg_;
};

// Relay from the neighbouring club network; same line format.
class RelayLink : public std::enable_shared_from_this<RelayLink> {
public:
    RelayLink(tcp::socket sock, StationRegistry& reg) : sock_(std::move(sock)), reg_(reg) {}
    void start() { do_read(); }

private:
    void do_read() {
        auto self = shared_from_this();
        net::async_read_until(sock_, buf_, '\n', [self](boost::system::error_code ec, std::size_t n) {
            if (ec) {
                if (ec != net::error::eof) std::cerr << "relay: " << ec.message() << "\n";
                return;
            }
            auto begin = net::buffers_begin(self->buf_.data());
            std::string line(begin, begin + static_cast<std::ptrdiff_t>(n));
            self->buf_.consume(n);
            if (auto s = parse_csv_line(line)) self->reg_.update(*s);
            self->do_read();
        });
    }

    tcp::socket sock_;
    net::streambuf buf_;
    StationRegistry& reg_;
};

// Ridge anemometer on /dev/ttyUSB*: fixed 16-byte frames "RIDGE WWW GGG DDD".
class SerialAnemometer {
public:
    SerialAnemometer(std::string dev, StationRegistry& reg) : dev_(std::move(dev)), reg_(reg) {}
    ~SerialAnemometer() { if (fd_ >= 0) ::close(fd_); }

    bool open_port() {
        fd_ = ::open(dev_.c_str(), O_RDONLY | O_NOCTTY);
        if (fd_ < 0) return false;
        termios tio{};
        tcgetattr(fd_, &tio);
        cfsetispeed(&tio, B9600);
        tcsetattr(fd_, TCSANOW, &tio);
        return true;
    }

    void poll_once() {
        char frame[16];
        ::read(fd_, frame, sizeof(frame)); // expect: errorshield-unchecked-read
        Sample s;
        s.station = std::string(frame, 5);
        s.wind_kmh = std::atoi(frame + 6);
        s.gust_kmh = std::atoi(frame + 9);
        s.dir_deg = std::atoi(frame + 12);
        s.ts = static_cast<long>(std::time(nullptr));
        reg_.update(s);
    }

    // Backup sensor on the landing field uses the same framing but is read properly.
    bool read_exact(char* out, std::size_t len) {
        std::size_t got = 0;
        while (got < len) {
            ssize_t n = ::read(fd_, out + got, len - got);
            if (n <= 0) return false;
            got += static_cast<std::size_t>(n);
        }
        return true;
    }

private:
    std::string dev_;
    StationRegistry& reg_;
    int fd_ = -1;
};

// Mirror of the regional federation feed on its own thread (synchronous client).
void mirror_federation(websocket::stream<tcp::socket>& ws, StationRegistry& reg, std::atomic<bool>& running) {
    beast::flat_buffer buf;
    beast::error_code ec;
    while (running) {
        ws.read(buf, ec); // expect: errorshield-unchecked-read
        auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
        buf.consume(buf.size());
        if (j.is_discarded() || !j.is_object()) continue;
        Sample s;
        s.station = j.value("station", "");
        s.wind_kmh = j.value("wind", 0.0);
        s.gust_kmh = j.value("gust", 0.0);
        s.dir_deg = j.value("dir", 0);
        reg.update(s);
    }
}

// Same federation feed for the alpine partner; stops on close.
void mirror_partner(websocket::stream<tcp::socket>& ws, StationRegistry& reg) {
    beast::flat_buffer buf;
    for (;;) {
        beast::error_code ec;
        ws.read(buf, ec);
        if (ec == websocket::error::closed) return;
        if (ec) {
            std::cerr << "partner feed: " << ec.message() << "\n";
            return;
        }
        auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
        buf.consume(buf.size());
        if (!j.is_discarded()) reg.update(Sample{j.value("station", ""), j.value("wind", 0.0)});
    }
}

// Pilot asks for a site once, then gets a snapshot after every request.
net::awaitable<void> pilot_briefing(websocket::stream<beast::tcp_stream> ws, StationRegistry& reg) {
    co_await ws.async_accept(net::use_awaitable);
    beast::flat_buffer buf;
    beast::error_code ec;
    for (;;) {
        co_await ws.async_read(buf, net::redirect_error(net::use_awaitable, ec)); // expect: errorshield-unchecked-read
        auto req = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
        buf.consume(buf.size());
        std::string site = req.is_object() ? req.value("site", "") : "";
        json reply{{"site", site}, {"flyable", reg.flyable(site)}, {"stations", reg.snapshot()}};
        ws.text(true);
        co_await ws.async_write(net::buffer(reply.dump()), net::use_awaitable);
    }
}

// Instructors' console: identical protocol, ends the loop on any read error.
net::awaitable<void> instructor_console(websocket::stream<beast::tcp_stream> ws, StationRegistry& reg) {
    co_await ws.async_accept(net::use_awaitable);
    beast::flat_buffer buf;
    for (;;) {
        beast::error_code ec;
        co_await ws.async_read(buf, net::redirect_error(net::use_awaitable, ec));
        if (ec) co_return;
        buf.consume(buf.size());
        ws.text(true);
        co_await ws.async_write(net::buffer(reg.snapshot().dump()), net::use_awaitable);
    }
}

// Exceptions propagate out of the coroutine when the pilot app drops.
net::awaitable<void> tandem_feed(websocket::stream<beast::tcp_stream> ws, StationRegistry& reg) {
    co_await ws.async_accept(net::use_awaitable);
    beast::flat_buffer buf;
    for (;;) {
        co_await ws.async_read(buf, net::use_awaitable);
        buf.consume(buf.size());
        co_await ws.async_write(net::buffer(reg.snapshot().dump()), net::use_awaitable);
    }
}

net::awaitable<void> station_listener(tcp::acceptor acc, StationRegistry& reg) {
    for (;;) {
        auto [ec, sock] = co_await acc.async_accept(net::as_tuple(net::use_awaitable));
        if (ec) co_return;
        std::make_shared<StationLink>(std::move(sock), reg)->start();
    }
}

net::awaitable<void> pilot_listener(tcp::acceptor acc, StationRegistry& reg) {
    auto ex = co_await net::this_coro::executor;
    for (;;) {
        tcp::socket sock = co_await acc.async_accept(net::use_awaitable);
        websocket::stream<beast::tcp_stream> ws(std::move(sock));
        ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws.read_message_max(16 * 1024);
        net::co_spawn(ex, pilot_briefing(std::move(ws), reg), net::detached);
    }
}

int main() {
    net::io_context ioc;
    StationRegistry reg;
    reg.load_sites("/etc/paraweather/sites.txt");
    reg.load_calibration("/etc/paraweather/calibration.txt");

    net::co_spawn(ioc, station_listener(tcp::acceptor(ioc, {tcp::v4(), 7010}), reg), net::detached);
    net::co_spawn(ioc, pilot_listener(tcp::acceptor(ioc, {tcp::v4(), 8080}), reg), net::detached);

    std::atomic<bool> running{true};
    std::thread serial([&] {
        SerialAnemometer ridge("/dev/ttyUSB0", reg);
        if (!ridge.open_port()) return;
        while (running) {
            ridge.poll_once();
            std::this_thread::sleep_for(std::chrono::seconds(2));
        }
    });

    ioc.run();
    running = false;
    serial.join();
}
