// checks: errorshield-ws-blocking-in-handler
// WebSocket echo server (Beast websocket_server_async style) with a side
// "report" feature that offloads expensive work to a thread_pool.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <condition_variable>
#include <sstream>
#include <string>
#include <thread>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;

static void fail(beast::error_code ec, char const* what) {
  (void)ec;
  (void)what;
}

std::string render_report(std::string const& query);

class session : public std::enable_shared_from_this<session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  net::thread_pool& pool_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool ready_ = false;

public:
  session(tcp::socket&& socket, net::thread_pool& pool)
      : ws_(std::move(socket)), pool_(pool) {}

  void run() {
    net::dispatch(ws_.get_executor(),
                  beast::bind_front_handler(&session::on_run, shared_from_this()));
  }

  void on_run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&session::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "accept");
    // Greeting banner loaded from disk on every connection.
    std::ifstream banner("/etc/echo/banner.txt");
    std::stringstream ss;
    ss << banner.rdbuf(); // expect: errorshield-ws-blocking-in-handler
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t bytes_transferred) {
    boost::ignore_unused(bytes_transferred);
    if (ec == websocket::error::closed) return;
    if (ec) return fail(ec, "read");

    std::string msg = beast::buffers_to_string(buffer_.data());
    if (msg == "slow") {
      // crude rate limiting
      std::this_thread::sleep_for(std::chrono::milliseconds(200)); // expect: errorshield-ws-blocking-in-handler
    }
    if (msg.rfind("report:", 0) == 0) {
      // Correct: heavy work goes to the pool, result posted back to the strand.
      auto self = shared_from_this();
      net::post(pool_, [self, q = msg.substr(7)] {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        std::string body = render_report(q);
        net::post(self->ws_.get_executor(), [self, body = std::move(body)]() mutable {
          self->buffer_.consume(self->buffer_.size());
          self->send_text(std::move(body));
        });
      });
      return;
    }
    if (msg.rfind("sync:", 0) == 0) {
      // Wrong: waits on the pool from inside the io_context thread.
      auto prom = std::make_shared<std::promise<std::string>>();
      std::future<std::string> f = prom->get_future();
      net::post(pool_, [prom, m = msg] { prom->set_value(render_report(m)); });
      std::string body = f.get(); // expect: errorshield-ws-blocking-in-handler
      buffer_.consume(buffer_.size());
      send_text(std::move(body));
      return;
    }
    if (msg == "wait") {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [this] { return ready_; }); // expect: errorshield-ws-blocking-in-handler
    }
    // Echo: write chained after read.
    ws_.text(ws_.got_text());
    ws_.async_write(buffer_.data(),
                    beast::bind_front_handler(&session::on_write, shared_from_this()));
  }

  void send_text(std::string body) {
    auto sp = std::make_shared<std::string>(std::move(body));
    ws_.text(true);
    ws_.async_write(net::buffer(*sp),
                    [self = shared_from_this(), sp](beast::error_code ec, std::size_t n) {
                      self->on_write(ec, n);
                    });
  }

  void on_write(beast::error_code ec, std::size_t bytes_transferred) {
    boost::ignore_unused(bytes_transferred);
    if (ec) return fail(ec, "write");
    buffer_.consume(buffer_.size());
    do_read();
  }

  void close_now() {
    // Called from a timer handler below: synchronous close on the io thread.
    beast::error_code ec;
    ws_.close(websocket::close_code::going_away, ec); // expect: errorshield-ws-blocking-in-handler
  }

  void arm_idle_timer(net::steady_timer& t) {
    t.expires_after(std::chrono::seconds(30));
    t.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->close_now();
    });
  }
};

class listener : public std::enable_shared_from_this<listener> {
  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  net::thread_pool& pool_;

public:
  listener(net::io_context& ioc, tcp::endpoint endpoint, net::thread_pool& pool)
      : ioc_(ioc), acceptor_(ioc), pool_(pool) {
    beast::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    acceptor_.bind(endpoint, ec);
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
  }

  void run() { do_accept(); }

private:
  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&listener::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec) {
      fail(ec, "accept");
      // back off before retrying: blocks the whole io_context
      std::this_thread::sleep_for(std::chrono::seconds(1)); // expect: errorshield-ws-blocking-in-handler
    } else {
      std::make_shared<session>(std::move(socket), pool_)->run();
    }
    do_accept();
  }
};

int main() {
  auto const address = net::ip::make_address("0.0.0.0");
  net::io_context ioc{1};
  net::thread_pool pool{4};
  // Not a handler: startup config read happens before run().
  std::ifstream cfg("/etc/echo/echo.conf");
  std::string line;
  std::getline(cfg, line);
  std::make_shared<listener>(ioc, tcp::endpoint{address, 8080}, pool)->run();
  // A dedicated watchdog thread may sleep freely.
  std::thread watchdog([&ioc] {
    std::this_thread::sleep_for(std::chrono::hours(1));
    ioc.stop();
  });
  ioc.run();
  watchdog.join();
  pool.join();
}
