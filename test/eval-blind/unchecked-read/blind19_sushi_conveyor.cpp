// checks: errorshield-unchecked-read
// Kaiten-zushi order backend: seat tablets send orders over WebSocket, the
// kitchen display polls over HTTP, plate RFID readers sit on the belt and the
// ticket printer is an ESC/POS device on a serial line.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

struct MenuItem {
    std::string code;
    long price_yen = 0;
    std::string name;
};

struct Order {
    int seat = 0;
    std::string item_code;
    int qty = 1;
};

#pragma pack(push, 1)
struct PlateTag {
    std::uint32_t tag_id;
    std::uint8_t colour;   // plate colour = price tier
    std::uint8_t lane;
    std::uint16_t crc;
};
#pragma pack(pop)

class Kitchen {
public:
    // menu.txt: first line is the item count, then "code price name" per line
    bool load_menu(const std::string& path) {
        std::ifstream in(path);
        int count = 0;
        if (!(in >> count)) return false;
        std::lock_guard lk(mu_);
        for (int i = 0; i < count; ++i) {
            MenuItem m;
            in >> m.code >> m.price_yen >> m.name; // expect: errorshield-unchecked-read
            menu_[m.code] = m;
        }
        return true;
    }

    // Seasonal specials file has no count header.
    bool load_specials(const std::string& path) {
        std::ifstream in(path);
        if (!in) return false;
        MenuItem m;
        std::lock_guard lk(mu_);
        while (in >> m.code >> m.price_yen >> m.name) menu_[m.code] = m;
        return in.eof();
    }

    void place(const Order& o) {
        std::lock_guard lk(mu_);
        if (menu_.count(o.item_code)) queue_.push_back(o);
    }

    json pending() {
        std::lock_guard lk(mu_);
        json out = json::array();
        for (auto& o : queue_) out.push_back({{"seat", o.seat}, {"item", o.item_code}, {"qty", o.qty}});
        return out;
    }

    void plate_taken(const PlateTag& t) {
        std::lock_guard lk(mu_);
        taken_[t.lane]++;
    }

private:
    std::mutex mu_;
    std::map<std::string, MenuItem> menu_;
    std::deque<Order> queue_;
    std::map<int, int> taken_;
};

static Order parse_order(const std::string& body) {
    auto j = json::parse(body, nullptr, false);
    Order o;
    if (j.is_object()) {
        o.seat = j.value("seat", 0);
        o.item_code = j.value("item", "");
        o.qty = j.value("qty", 1);
    }
    return o;
}

// Seat tablet: one WebSocket per seat, sends order JSON.
class TabletSession : public std::enable_shared_from_this<TabletSession> {
public:
    TabletSession(tcp::socket s, Kitchen& k) : ws_(std::move(s)), kitchen_(k) {}

    void start() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.read_message_max(4096);
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->do_read();
        });
    }

private:
    void do_read() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code, std::size_t bytes) { // expect: errorshield-unchecked-read
            self->bytes_in_ += bytes;
            self->kitchen_.place(parse_order(beast::buffers_to_string(self->buf_.data())));
            self->buf_.consume(self->buf_.size());
            self->do_read();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buf_;
    Kitchen& kitchen_;
    std::size_t bytes_in_ = 0;
};

// Counter staff tablet: same protocol, handled with a member completion.
class CounterSession : public std::enable_shared_from_this<CounterSession> {
public:
    CounterSession(tcp::socket s, Kitchen& k) : ws_(std::move(s)), kitchen_(k) {}

    void start() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.read_message_max(4096);
        ws_.async_accept(beast::bind_front_handler(&CounterSession::on_accept, shared_from_this()));
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) return;
        do_read();
    }
    void do_read() { ws_.async_read(buf_, beast::bind_front_handler(&CounterSession::on_read, shared_from_this())); }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == websocket::error::closed) return;
        if (ec) {
            std::cerr << "counter: " << ec.message() << "\n";
            return;
        }
        kitchen_.place(parse_order(beast::buffers_to_string(buf_.data())));
        buf_.consume(buf_.size());
        do_read();
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buf_;
    Kitchen& kitchen_;
};

// Belt RFID reader: the device node yields one PlateTag per plate lifted.
static void read_tag(int fd, PlateTag& tag) {
    ::read(fd, &tag, sizeof(tag)); // expect: errorshield-unchecked-read
}

static bool read_tag_checked(int fd, PlateTag& tag) {
    ssize_t n = ::read(fd, &tag, sizeof(tag));
    return n == static_cast<ssize_t>(sizeof(tag));
}

void belt_reader_loop(const char* dev, Kitchen& kitchen, bool primary) {
    int fd = ::open(dev, O_RDONLY);
    if (fd < 0) return;
    for (;;) {
        PlateTag tag{};
        if (primary) {
            read_tag(fd, tag);
            kitchen.plate_taken(tag);
        } else {
            if (!read_tag_checked(fd, tag)) break;
            kitchen.plate_taken(tag);
        }
    }
    ::close(fd);
}

// ESC/POS "transmit real-time status": printer answers with one status byte.
template <class SyncStream>
bool printer_paper_low(SyncStream& port) {
    static const unsigned char dle_eot[] = {0x10, 0x04, 0x04};
    net::write(port, net::buffer(dle_eot));
    unsigned char status;
    boost::system::error_code ec;
    port.read_some(net::buffer(&status, 1), ec); // expect: errorshield-unchecked-read
    return (status & 0x0C) != 0;
}

template <class SyncStream>
bool printer_cover_open(SyncStream& port) {
    static const unsigned char dle_eot[] = {0x10, 0x04, 0x02};
    net::write(port, net::buffer(dle_eot));
    unsigned char status = 0;
    boost::system::error_code ec;
    std::size_t n = port.read_some(net::buffer(&status, 1), ec);
    if (ec || n != 1) return true;  // treat an unreachable printer as unusable
    return (status & 0x04) != 0;
}

// Kitchen display polls GET /pending; keep-alive loop.
net::awaitable<void> kitchen_display(beast::tcp_stream stream, Kitchen& kitchen) {
    beast::flat_buffer buf;
    for (;;) {
        http::request<http::string_body> req;
        auto [ec, n] = co_await http::async_read(stream, buf, req, net::as_tuple(net::use_awaitable)); // expect: errorshield-unchecked-read
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.set(http::field::content_type, "application/json");
        res.body() = kitchen.pending().dump();
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        co_await http::async_write(stream, res, net::use_awaitable);
        if (!res.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

// Manager's endpoint: same loop, stops on end of stream.
net::awaitable<void> manager_report(beast::tcp_stream stream, Kitchen& kitchen) {
    beast::flat_buffer buf;
    for (;;) {
        http::request<http::string_body> req;
        auto [ec, n] = co_await http::async_read(stream, buf, req, net::as_tuple(net::use_awaitable));
        if (ec == http::error::end_of_stream) break;
        if (ec) co_return;
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.body() = kitchen.pending().dump();
        res.prepare_payload();
        co_await http::async_write(stream, res, net::use_awaitable);
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

net::awaitable<void> http_listener(tcp::acceptor acc, Kitchen& kitchen) {
    auto ex = co_await net::this_coro::executor;
    for (;;) {
        auto [ec, sock] = co_await acc.async_accept(net::as_tuple(net::use_awaitable));
        if (ec) continue;
        net::co_spawn(ex, kitchen_display(beast::tcp_stream(std::move(sock)), kitchen), net::detached);
    }
}

void tablet_accept(tcp::acceptor& acc, Kitchen& kitchen) {
    acc.async_accept([&acc, &kitchen](beast::error_code ec, tcp::socket s) {
        if (!ec) std::make_shared<TabletSession>(std::move(s), kitchen)->start();
        tablet_accept(acc, kitchen);
    });
}

int main() {
    net::io_context ioc;
    Kitchen kitchen;
    if (!kitchen.load_menu("/etc/kaiten/menu.txt")) return 1;
    kitchen.load_specials("/etc/kaiten/specials.txt");

    tcp::acceptor tablets(ioc, {tcp::v4(), 9000});
    tablet_accept(tablets, kitchen);
    net::co_spawn(ioc, http_listener(tcp::acceptor(ioc, {tcp::v4(), 8080}), kitchen), net::detached);

    net::serial_port printer(ioc, "/dev/ttyS1");
    if (printer_paper_low(printer)) std::cerr << "ticket printer paper low\n";
    if (printer_cover_open(printer)) std::cerr << "ticket printer cover open\n";

    std::thread belt_a(belt_reader_loop, "/dev/rfid0", std::ref(kitchen), true);
    std::thread belt_b(belt_reader_loop, "/dev/rfid1", std::ref(kitchen), false);

    ioc.run();
    belt_a.join();
    belt_b.join();
}
