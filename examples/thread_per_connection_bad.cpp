// Demo input for errorshield-thread-per-connection: the seed incident (BUGGY).
//
// A push service, ported line by line from Go. Subscribers connect to port
// 9000, send one line "SUBSCRIBE <topic>" and then receive every message
// published on that topic, one line each; publishers connect to port 9001
// and send lines "<topic> <message>". In Go every connection had its own
// goroutine, a few kilobytes of stack multiplexed on a handful of OS
// threads. The port gave every connection its own std::thread instead: a
// real OS thread with 8 MiB of reserved stack and a scheduler entry, most
// of them asleep on a condition variable because subscribers are idle:
//
// - The subscriber accept loop in main() starts and detaches a thread per
//   subscriber. At about 10,000 idle subscribers the process reached the
//   thread limit: std::thread's constructor threw "Resource temporarily
//   unavailable", accept() failed with "Too many open files", and new users
//   could not connect while the machine spent its time switching between
//   sleeping threads.
// - The publisher accept loop keeps a thread per publisher in a vector
//   that only grows: threads of publishers that left are never joined.
//
// Errors are checked, and the hub and each mailbox are locked: the design,
// not a race, is the problem.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
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

static void fail(beast::error_code ec, const char* what) {
  std::cerr << what << ": " << ec.message() << "\n";
}

// What a subscriber's thread waits on: the lines published for it.
struct Mailbox {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<std::string> lines;
};

// Topic -> subscribers' mailboxes, shared by every connection's thread.
class Hub {
 public:
  void subscribe(const std::string& topic, const std::shared_ptr<Mailbox>& box) {
    std::lock_guard<std::mutex> lock(mutex_);
    topics_[topic].push_back(box);
  }

  void publish(const std::string& topic, const std::string& line) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = topics_.find(topic);
    if (it == topics_.end()) return;
    for (const std::weak_ptr<Mailbox>& weak : it->second) {
      std::shared_ptr<Mailbox> box = weak.lock();
      if (!box) continue;
      {
        std::lock_guard<std::mutex> box_lock(box->mutex);
        box->lines.push_back(line);
      }
      box->ready.notify_one();
    }
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<std::weak_ptr<Mailbox>>> topics_;
};

// One thread per subscriber: read the SUBSCRIBE line, then sleep until there is something to push.
static void serve_subscriber(tcp::socket socket, Hub& hub) {
  beast::error_code ec;
  std::string request;
  std::size_t n = net::read_until(socket, net::dynamic_buffer(request), '\n', ec);
  if (ec) return fail(ec, "subscribe");
  const std::string prefix = "SUBSCRIBE ";
  if (request.compare(0, prefix.size(), prefix) != 0) return;
  auto box = std::make_shared<Mailbox>();
  hub.subscribe(request.substr(prefix.size(), n - prefix.size() - 1), box);
  for (;;) {
    std::unique_lock<std::mutex> lock(box->mutex);
    box->ready.wait(lock, [&box] { return !box->lines.empty(); });
    std::string line = std::move(box->lines.front());
    box->lines.pop_front();
    lock.unlock();
    net::write(socket, net::buffer(line), ec);
    if (ec) return fail(ec, "push");
  }
}

// One thread per publisher: read "<topic> <message>" lines until the publisher leaves.
static void serve_publisher(tcp::socket socket, Hub& hub) {
  beast::error_code ec;
  std::string buffer;
  for (;;) {
    std::size_t n = net::read_until(socket, net::dynamic_buffer(buffer), '\n', ec);
    if (ec == net::error::eof) return;
    if (ec) return fail(ec, "publish");
    std::string line = buffer.substr(0, n);
    buffer.erase(0, n);
    std::size_t space = line.find(' ');
    if (space != std::string::npos) hub.publish(line.substr(0, space), line.substr(space + 1));
  }
}

static void accept_publishers(tcp::acceptor& acceptor, Hub& hub) {
  std::vector<std::thread> publishers;
  for (;;) {
    tcp::socket socket(acceptor.get_executor());
    beast::error_code ec;
    acceptor.accept(socket, ec);
    if (ec) {
      fail(ec, "accept publisher");
      continue;
    }
    publishers.emplace_back(&serve_publisher, std::move(socket), std::ref(hub));  // BUG: one thread per publisher
  }
}

int main() {
  net::io_context ioc;  // only for the sockets: every operation is synchronous
  Hub hub;
  tcp::acceptor publisher_acceptor(ioc, tcp::endpoint{net::ip::make_address("0.0.0.0"), 9001});
  std::thread publishers(&accept_publishers, std::ref(publisher_acceptor), std::ref(hub));
  publishers.detach();

  tcp::acceptor subscriber_acceptor(ioc, tcp::endpoint{net::ip::make_address("0.0.0.0"), 9000});
  for (;;) {
    tcp::socket socket(ioc);
    beast::error_code ec;
    subscriber_acceptor.accept(socket, ec);
    if (ec) {
      fail(ec, "accept subscriber");
      continue;
    }
    std::thread(&serve_subscriber, std::move(socket), std::ref(hub)).detach();  // BUG: one thread per subscriber
  }
}
