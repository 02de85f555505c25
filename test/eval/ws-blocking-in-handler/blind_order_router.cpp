// checks: errorshield-ws-blocking-in-handler
// Order router: clients submit orders over WebSocket; a risk engine thread
// approves them; approved orders go to the exchange over a raw TCP session.
// A passive FTP-style drop-copy port is also served.

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <sys/socket.h>
#include <unistd.h>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

struct risk_state {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<json> inbox;
    bool approved = false;
    bool stop = false;
};

// Runs on a dedicated std::thread; waiting here is what it is for.
void risk_engine_loop(risk_state& rs) {
    for (;;) {
        std::unique_lock<std::mutex> lk(rs.mu);
        rs.cv.wait(lk, [&] { return rs.stop || !rs.inbox.empty(); });
        if (rs.stop)
            return;
        rs.inbox.pop_front();
        rs.approved = true;
        lk.unlock();
        rs.cv.notify_all();
    }
}

class router_session : public std::enable_shared_from_this<router_session> {
public:
    router_session(tcp::socket&& s, risk_state& rs, net::thread_pool& pool, tcp::socket& exch)
        : ws_(std::move(s)), heartbeat_(ws_.get_executor()), rs_(rs), pool_(pool), exch_(exch) {}

    void start_read() {
        ws_.async_read(buffer_, beast::bind_front_handler(&router_session::on_order, shared_from_this()));
    }

    void start_heartbeat() {
        heartbeat_.expires_after(std::chrono::seconds(1));
        heartbeat_.async_wait([this, self = shared_from_this()](beast::error_code ec) {
            if (ec)
                return;
            if (reconnect_thread_.joinable())
                reconnect_thread_.join();  // expect: errorshield-ws-blocking-in-handler
            std::this_thread::sleep_until(std::chrono::steady_clock::now() + std::chrono::milliseconds(10));  // expect: errorshield-ws-blocking-in-handler
            start_heartbeat();
        });
    }

private:
    void on_order(beast::error_code ec, std::size_t) {
        if (ec)
            return;
        auto order = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
        buffer_.consume(buffer_.size());
        if (order.is_discarded())
            return start_read();

        if (order.value("async_risk", true)) {
            // Good: hand to the risk engine; the wait happens on the pool.
            {
                std::lock_guard<std::mutex> g(rs_.mu);
                rs_.inbox.push_back(order);
            }
            rs_.cv.notify_one();
            net::post(pool_, [this, self = shared_from_this()] {
                std::unique_lock<std::mutex> lk(rs_.mu);
                rs_.cv.wait(lk, [&] { return rs_.approved; });
                rs_.approved = false;
                net::post(ws_.get_executor(), [self] { self->start_read(); });
            });
            return;
        }

        // Bad: blocks the io thread until the risk engine answers.
        std::unique_lock<std::mutex> lk(rs_.mu);
        rs_.inbox.push_back(order);
        rs_.cv.notify_one();
        rs_.cv.wait_for(lk, std::chrono::milliseconds(200), [&] { return rs_.approved; });  // expect: errorshield-ws-blocking-in-handler
        rs_.approved = false;
        lk.unlock();

        std::string wire = order.dump() + "\n";
        ::send(exch_.native_handle(), wire.data(), wire.size(), MSG_NOSIGNAL);  // expect: errorshield-ws-blocking-in-handler
        char ack[64];
        ::recv(exch_.native_handle(), ack, sizeof ack, 0);  // expect: errorshield-ws-blocking-in-handler
        start_read();
    }

    websocket::stream<beast::tcp_stream> ws_;
    net::steady_timer heartbeat_;
    beast::flat_buffer buffer_;
    risk_state& rs_;
    net::thread_pool& pool_;
    tcp::socket& exch_;
    std::thread reconnect_thread_;
};

// Drop-copy server: control connection on one port, data on another.
class dropcopy_server {
public:
    dropcopy_server(net::io_context& ioc, unsigned short ctl_port, unsigned short data_port)
        : ctl_acceptor_(ioc, {tcp::v4(), ctl_port}),
          data_acceptor_(ioc, {tcp::v4(), data_port}),
          ctl_sock_(ioc), data_sock_(ioc) {}

    void start() {
        ctl_acceptor_.async_accept(ctl_sock_, [this](boost::system::error_code ec) {
            if (ec)
                return;
            // The control client is told to open the data connection; the
            // handler waits for it right here.
            boost::system::error_code aec;
            data_acceptor_.accept(data_sock_, aec);  // expect: errorshield-ws-blocking-in-handler
            if (aec)
                return;
            std::size_t got = ctl_sock_.read_some(net::buffer(hdr_));  // expect: errorshield-ws-blocking-in-handler
            (void)got;
            arm_retry();
        });
    }

    void request_replay(std::promise<std::string>& p) {
        auto fut = p.get_future();
        ctl_sock_.async_wait(tcp::socket::wait_read, [f = std::move(fut)](boost::system::error_code ec) mutable {
            if (ec)
                return;
            f.wait();  // expect: errorshield-ws-blocking-in-handler
        });
    }

private:
    void arm_retry() {
        retry_.async_wait([this](boost::system::error_code ec) {
            if (ec)
                return;
            ::sleep(1);  // expect: errorshield-ws-blocking-in-handler
            start();
        });
    }

    tcp::acceptor ctl_acceptor_;
    tcp::acceptor data_acceptor_;
    tcp::socket ctl_sock_;
    tcp::socket data_sock_;
    net::steady_timer retry_{ctl_acceptor_.get_executor()};
    std::array<char, 32> hdr_{};
};
