// Demo input for errorshield-thread-per-connection: the seed incident (FIXED).
//
// Corrected twin of thread_per_connection_bad.cpp. The number of threads no
// longer depends on the number of connections:
//
// - main() creates a fixed pool, one thread per core, once; every thread
//   runs the same io_context.
// - Both ports accept with async_accept; each connection becomes a small
//   session object (a socket, a line buffer, a write queue) on its own
//   strand, and is served by whichever pool thread is free.
// - An idle subscriber costs a socket and a pending read, not a sleeping
//   thread with 8 MiB of stack: 10,000 of them are a few megabytes.
// - The hub hands each published line to the subscriber's strand with
//   net::post; the session writes it from its write queue.
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

using Line = std::shared_ptr<const std::string>;

static void fail(beast::error_code ec, const char* what) {
  std::cerr << what << ": " << ec.message() << "\n";
}

class SubscriberSession;

// Topic -> subscriber sessions, shared by the pool's threads.
class Hub {
 public:
  void subscribe(const std::string& topic, const std::shared_ptr<SubscriberSession>& session) {
    std::lock_guard<std::mutex> lock(mutex_);
    topics_[topic].push_back(session);
  }

  void publish(const std::string& topic, const std::string& text);

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<std::weak_ptr<SubscriberSession>>> topics_;
};

// ---- Port 9000: one session per subscriber, no thread of its own ----

class SubscriberSession : public std::enable_shared_from_this<SubscriberSession> {
 public:
  SubscriberSession(tcp::socket&& socket, Hub& hub) : stream_(std::move(socket)), hub_(hub) {}

  void run() {
    stream_.expires_after(std::chrono::seconds(30));  // the SUBSCRIBE line must come soon
    net::async_read_until(stream_, net::dynamic_buffer(request_), '\n',
                          beast::bind_front_handler(&SubscriberSession::on_subscribe, shared_from_this()));
  }

  // Called by the hub from any pool thread: continue on this session's strand.
  void deliver(Line line) {
    net::post(stream_.get_executor(), [self = shared_from_this(), line = std::move(line)] { self->send(line); });
  }

 private:
  void on_subscribe(beast::error_code ec, std::size_t n) {
    if (ec) return fail(ec, "subscribe");
    const std::string prefix = "SUBSCRIBE ";
    if (request_.compare(0, prefix.size(), prefix) != 0) return;
    stream_.expires_never();  // subscribers are idle most of the time
    hub_.subscribe(request_.substr(prefix.size(), n - prefix.size() - 1), shared_from_this());
    wait_for_close();
  }

  // Subscribers send nothing after SUBSCRIBE: a pending read tells when one leaves.
  void wait_for_close() {
    stream_.async_read_some(net::buffer(scratch_),
                            beast::bind_front_handler(&SubscriberSession::on_client_data, shared_from_this()));
  }

  void on_client_data(beast::error_code ec, std::size_t) {
    if (ec == net::error::eof) return;  // the subscriber left; the hub's weak_ptr expires
    if (ec) return fail(ec, "subscriber read");
    wait_for_close();  // ignore stray bytes
  }

  void send(Line line) {
    queue_.push_back(std::move(line));
    if (queue_.size() > 1) return;  // a write is in progress
    net::async_write(stream_, net::buffer(*queue_.front()),
                     beast::bind_front_handler(&SubscriberSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "push");
    queue_.pop_front();
    if (!queue_.empty())
      net::async_write(stream_, net::buffer(*queue_.front()),
                       beast::bind_front_handler(&SubscriberSession::on_write, shared_from_this()));
  }

  beast::tcp_stream stream_;
  Hub& hub_;
  std::string request_;
  std::array<char, 64> scratch_{};
  std::deque<Line> queue_;
};

void Hub::publish(const std::string& topic, const std::string& text) {
  auto line = std::make_shared<const std::string>(text + "\n");
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = topics_.find(topic);
  if (it == topics_.end()) return;
  for (const std::weak_ptr<SubscriberSession>& weak : it->second)
    if (std::shared_ptr<SubscriberSession> session = weak.lock()) session->deliver(line);
}

// ---- Port 9001: one session per publisher ----

class PublisherSession : public std::enable_shared_from_this<PublisherSession> {
 public:
  PublisherSession(tcp::socket&& socket, Hub& hub) : stream_(std::move(socket)), hub_(hub) {}

  void run() { do_read(); }

 private:
  void do_read() {
    stream_.expires_after(std::chrono::minutes(5));  // publishers send at least a heartbeat
    net::async_read_until(stream_, net::dynamic_buffer(buffer_), '\n',
                          beast::bind_front_handler(&PublisherSession::on_line, shared_from_this()));
  }

  void on_line(beast::error_code ec, std::size_t n) {
    if (ec == net::error::eof) return;
    if (ec) return fail(ec, "publish");
    std::string line = buffer_.substr(0, n - 1);
    buffer_.erase(0, n);
    std::size_t space = line.find(' ');
    if (space != std::string::npos) hub_.publish(line.substr(0, space), line.substr(space + 1));
    do_read();
  }

  beast::tcp_stream stream_;
  Hub& hub_;
  std::string buffer_;
};

// FIX: accept asynchronously; each connection gets a session on its own strand, not a thread.
template <class Session>
class Listener : public std::enable_shared_from_this<Listener<Session>> {
 public:
  Listener(net::io_context& ioc, const tcp::endpoint& endpoint, Hub& hub) : ioc_(ioc), acceptor_(ioc, endpoint), hub_(hub) {}

  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&Listener::on_accept, this->shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec)
      fail(ec, "accept");
    else
      std::make_shared<Session>(std::move(socket), hub_)->run();
    do_accept();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  Hub& hub_;
};

int main() {
  net::io_context ioc;
  Hub hub;
  std::make_shared<Listener<SubscriberSession>>(ioc, tcp::endpoint{net::ip::make_address("0.0.0.0"), 9000}, hub)
      ->do_accept();
  std::make_shared<Listener<PublisherSession>>(ioc, tcp::endpoint{net::ip::make_address("0.0.0.0"), 9001}, hub)
      ->do_accept();

  // FIX: a fixed pool, created once, whatever the number of connections.
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (std::thread& t : pool) t.join();
}
