// checks: errorshield-deferred-ref-capture
// HTTP/1.1 front end of a quote service on Boost.Beast. The session object
// owns its socket; some handlers were written against locals by mistake.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

std::string quote_for(const std::string& symbol);
void record_latency(std::chrono::steady_clock::duration d);
void warm_cache(const std::string& upstream);

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, asio::io_context& ioc)
      : stream_(std::move(socket)), strand_(asio::make_strand(ioc)), timer_(ioc) {}

  void start() {
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    // buf and req are locals of start(): the read completes after they are destroyed
    http::async_read(stream_, buf, req, [self = shared_from_this(), &buf, &req](beast::error_code ec, std::size_t) {  // expect: errorshield-deferred-ref-capture
      if (!ec) self->handle(req.target(), buf.size());
    });
  }

  void read_next() {
    req_ = {};
    // fine: member buffer and request, session kept alive by the bound shared_ptr
    http::async_read(stream_, buffer_, req_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

  void respond_quote(const std::string& symbol) {
    auto res = std::make_shared<http::response<http::string_body>>(http::status::ok, 11);
    res->set(http::field::content_type, "application/json");
    res->body() = json{{"symbol", symbol}, {"px", quote_for(symbol)}}.dump();
    res->prepare_payload();
    // fine: the response is shared-owned by the handler (init-capture by value)
    http::async_write(stream_, *res, asio::bind_executor(strand_, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (!ec && !res->keep_alive()) self->close();
    }));
  }

  void respond_not_found(beast::string_view target) {
    http::response<http::string_body> res{http::status::not_found, 11};
    res.body() = "no route for " + std::string(target);
    res.prepare_payload();
    // wrapped in bind_executor but still a completion handler; res dies when this returns
    http::async_write(stream_, res, asio::bind_executor(strand_, [self = shared_from_this(), &res](beast::error_code ec, std::size_t) {  // expect: errorshield-deferred-ref-capture
      if (ec || !res.keep_alive()) self->close();
    }));
  }

  void send_status(int code) {
    auto body = std::make_shared<std::string>("{\"status\":" + std::to_string(code) + "}");
    std::size_t expected = body->size();
    // the handler is built first and moved into async_write; `expected` is gone when it runs
    auto on_sent = [self = shared_from_this(), body, &expected](beast::error_code ec, std::size_t n) { if (ec || n != expected) self->close(); };  // expect: errorshield-deferred-ref-capture
    asio::async_write(stream_, asio::buffer(*body), std::move(on_sent));
  }

  void arm_idle_timeout() {
    auto armed_at = std::chrono::steady_clock::now();
    timer_.expires_after(std::chrono::seconds(30));
    // armed_at lives on this stack frame; the wait completes 30 s later
    timer_.async_wait([self = shared_from_this(), &armed_at](beast::error_code ec) {  // expect: errorshield-deferred-ref-capture
      if (!ec) {
        record_latency(std::chrono::steady_clock::now() - armed_at);
        self->close();
      }
    });
  }

  void arm_idle_timeout_fixed() {
    auto armed_at = std::chrono::steady_clock::now();
    timer_.expires_after(std::chrono::seconds(30));
    // fine: the time point is copied into the handler
    timer_.async_wait([self = shared_from_this(), armed_at](beast::error_code ec) {
      if (!ec) record_latency(std::chrono::steady_clock::now() - armed_at);
    });
  }

  void prefetch(const std::vector<std::string>& upstreams) {
    for (std::string target : upstreams) {
      // target is a per-iteration copy; deferred handlers see a destroyed string
      asio::defer(strand_, [&target] { warm_cache(target); });  // expect: errorshield-deferred-ref-capture
    }
    for (const std::string& target : upstreams) {
      // fine: captured by value, and target is a reference to the caller's vector anyway
      asio::dispatch(strand_, [target] { warm_cache(target); });
    }
  }

 private:
  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return close();
    if (ec) return;
    std::string symbol(req_.target().substr(1));
    // fine: `this` only; the session is kept alive by the caller's bound shared_ptr
    asio::post(strand_, [this, symbol] { respond_quote(symbol); });
  }

  void handle(beast::string_view target, std::size_t) {
    if (target.starts_with("/quote/")) respond_quote(std::string(target.substr(7)));
    else respond_not_found(target);
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

// Blocking health probe used by the CLI: it drives its own io_context.
std::string probe(const std::string& host, const std::string& port) {
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  http::request<http::empty_body> req{http::verb::get, "/health", 11};
  req.set(http::field::host, host);
  http::response<http::string_body> res;
  // fine: every handler below completes inside ioc.run(), before the locals go away
  resolver.async_resolve(host, port, [&](beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return;
    stream.async_connect(results, [&](beast::error_code ec2, const tcp::endpoint&) {
      if (ec2) return;
      http::async_write(stream, req, [&](beast::error_code ec3, std::size_t) {
        if (!ec3) http::async_read(stream, buffer, res, [&](beast::error_code, std::size_t) {});
      });
    });
  });
  ioc.run();
  return res.body();
}
