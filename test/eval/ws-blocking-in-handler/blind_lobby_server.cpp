// checks: errorshield-ws-blocking-in-handler
// Game-lobby WebSocket server: matchmaking, chat, and profile lookups.
// Profile lookups hit a slow HTTP service; the good path offloads them to a
// thread pool, older paths block the io_context thread.

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

json fetch_profile_blocking(std::string const& user_id);  // libcurl inside
std::vector<std::string> load_lobby_history(std::string const& lobby);

class lobby_session : public std::enable_shared_from_this<lobby_session> {
public:
    lobby_session(tcp::socket&& socket, net::thread_pool& blocking_pool)
        : ws_(std::move(socket)), idle_timer_(ws_.get_executor()), pool_(blocking_pool) {}

    void run() {
        net::dispatch(ws_.get_executor(),
                      beast::bind_front_handler(&lobby_session::on_run, shared_from_this()));
    }

    void send(std::string text);  // queued writer, not shown

private:
    void on_run() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.read_message_max(64 * 1024);
        ws_.write_buffer_bytes(16 * 1024);
        ws_.async_accept(beast::bind_front_handler(&lobby_session::on_accept, shared_from_this()));
    }

    void on_accept(beast::error_code ec) {
        if (ec)
            return;
        // Greeting written synchronously from the accept handler.
        ws_.text(true);
        ws_.write(net::buffer(std::string(R"({"type":"welcome","v":3})")));  // expect: errorshield-ws-blocking-in-handler
        arm_idle_timer();
        do_read();
    }

    void arm_idle_timer() {
        idle_timer_.expires_after(std::chrono::minutes(5));
        // Idle kick: closing the TCP socket just releases the descriptor and
        // cancels pending ops; it does not wait on the network.
        idle_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec == net::error::operation_aborted)
                return;
            beast::error_code ignored;
            beast::get_lowest_layer(self->ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
            beast::get_lowest_layer(self->ws_).socket().close(ignored);
        });
    }

    void do_read() {
        ws_.async_read(buffer_, beast::bind_front_handler(&lobby_session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec)
            return;
        idle_timer_.cancel();
        arm_idle_timer();

        auto msg = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
        buffer_.consume(buffer_.size());
        if (msg.is_discarded() || !msg.contains("type")) {
            // Protocol violation: the synchronous close sends the close frame
            // and then reads until the peer answers.
            ws_.close(websocket::close_code::policy_error);  // expect: errorshield-ws-blocking-in-handler
            return;
        }

        auto const type = msg["type"].get<std::string>();
        if (type == "profile") {
            // Good: slow lookup on the blocking pool, result posted back.
            net::post(pool_, [self = shared_from_this(), id = msg.value("id", "")] {
                auto profile = fetch_profile_blocking(id);
                std::this_thread::sleep_for(std::chrono::milliseconds(5));  // crude rate limit
                net::post(self->ws_.get_executor(),
                          [self, p = profile.dump()] { self->send(p); });
            });
        } else if (type == "history") {
            // Bad: waits on the future from the io thread.
            auto fut = std::async(std::launch::async, load_lobby_history, msg.value("lobby", "main"));
            auto lines = fut.get();  // expect: errorshield-ws-blocking-in-handler
            for (auto& l : lines)
                send(std::move(l));
        } else if (type == "leave") {
            ws_.async_close(websocket::close_code::normal,
                            [self = shared_from_this()](beast::error_code) {});
            return;
        }
        do_read();
    }

    websocket::stream<beast::tcp_stream> ws_;
    net::steady_timer idle_timer_;
    net::thread_pool& pool_;
    beast::flat_buffer buffer_;
};

// Matchmaking ticket handler written as a lambda; "backs off" before reading again.
void start_matchmaking_reader(std::shared_ptr<websocket::stream<beast::tcp_stream>> ws,
                              std::shared_ptr<beast::flat_buffer> buf) {
    ws->async_read(*buf, [ws, buf](beast::error_code ec, std::size_t) {
        if (ec)
            return;
        auto ticket = json::parse(beast::buffers_to_string(buf->data()), nullptr, false);
        buf->consume(buf->size());
        if (!ticket.is_discarded() && ticket.value("queue_full", false))
            std::this_thread::sleep_for(std::chrono::milliseconds(250));  // expect: errorshield-ws-blocking-in-handler
        start_matchmaking_reader(ws, buf);
    });
}

// Health probe used by the deployment script: plain synchronous client,
// runs on its own thread, never inside a completion handler.
bool lobby_health_probe(std::string const& host, std::string const& port) {
    net::io_context ioc;
    tcp::resolver resolver{ioc};
    websocket::stream<tcp::socket> ws{ioc};
    beast::error_code ec;
    net::connect(ws.next_layer(), resolver.resolve(host, port), ec);
    if (ec)
        return false;
    ws.handshake(host + ":" + port, "/health", ec);
    if (ec)
        return false;
    ws.write(net::buffer(std::string(R"({"type":"ping"})")), ec);
    beast::flat_buffer b;
    ws.read(b, ec);
    ws.close(websocket::close_code::normal, ec);
    return !ec;
}
