// checks: errorshield-ws-concurrent-write
// Live horse auction: remote bidders and the ring-side auctioneer console share a
// WebSocket feed of bids, lot changes and the "going once / going twice" countdown.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace auction {

struct lot {
  int number = 0;
  std::string horse;
  long long high_bid_cents = 0;
  std::string high_bidder;
};

class bidder_session;

class ring {
  std::mutex mu_;
  std::set<std::shared_ptr<bidder_session>> bidders_;

public:
  lot current;
  void join(std::shared_ptr<bidder_session> s) {
    std::lock_guard<std::mutex> lk(mu_);
    bidders_.insert(std::move(s));
  }
  void leave(const std::shared_ptr<bidder_session> &s) {
    std::lock_guard<std::mutex> lk(mu_);
    bidders_.erase(s);
  }
  void broadcast(const std::string &msg);
};

// Remote bidder: outgoing messages go through a queue so only one write is in flight.
class bidder_session : public std::enable_shared_from_this<bidder_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::deque<std::shared_ptr<const std::string>> outbox_;
  ring &ring_;

public:
  bidder_session(tcp::socket s, ring &r) : ws_(std::move(s)), ring_(r) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->ring_.join(self);
      self->read();
    });
  }

  void deliver(std::shared_ptr<const std::string> msg) {
    net::post(ws_.get_executor(), [self = shared_from_this(), msg = std::move(msg)] {
      self->outbox_.push_back(msg);
      if (self->outbox_.size() > 1)
        return; // a write is already running, on_write will pick this up
      self->write_front();
    });
  }

private:
  void write_front() {
    ws_.async_write(net::buffer(*outbox_.front()),
                    beast::bind_front_handler(&bidder_session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec)
      return ring_.leave(shared_from_this());
    outbox_.pop_front();
    if (!outbox_.empty())
      write_front();
  }

  void read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return self->ring_.leave(self);
      auto bid = json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false);
      self->in_.consume(self->in_.size());
      if (!bid.is_discarded())
        self->ring_.broadcast(bid.dump());
      self->read();
    });
  }
};

void ring::broadcast(const std::string &msg) {
  auto shared = std::make_shared<const std::string>(msg);
  std::lock_guard<std::mutex> lk(mu_);
  for (auto &b : bidders_)
    b->deliver(shared);
}

// Ring-side auctioneer console: accepts bids typed by the clerk, echoes an ack and
// pushes the countdown. Written without the queue.
class auctioneer_console : public std::enable_shared_from_this<auctioneer_console> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  net::steady_timer countdown_;
  std::string ack_, status_, tick_;
  int calls_ = 0;
  ring &ring_;

public:
  auctioneer_console(tcp::socket s, ring &r) : ws_(std::move(s)), countdown_(ws_.get_executor()), ring_(r) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->read();
      self->arm_countdown();
    });
  }

private:
  void read() {
    ws_.async_read(in_, beast::bind_front_handler(&auctioneer_console::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto cmd = json::parse(beast::buffers_to_string(in_.data()), nullptr, false);
    in_.consume(in_.size());
    ack_ = json{{"ack", cmd.value("seq", 0)}}.dump();
    ws_.async_write(net::buffer(ack_), [](beast::error_code, std::size_t) {});
    status_ = json{{"lot", ring_.current.number}, {"high", ring_.current.high_bid_cents}}.dump();
    ws_.async_write(net::buffer(status_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    calls_ = 0;
    read();
  }

  void arm_countdown() {
    countdown_.expires_after(3s);
    countdown_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      static const char *calls[] = {"going once", "going twice", "sold"};
      self->tick_ = calls[self->calls_ < 2 ? self->calls_++ : 2];
      self->ws_.async_write(net::buffer(self->tick_), [self](beast::error_code wec, std::size_t) { // expect: errorshield-ws-concurrent-write
        if (!wec)
          self->arm_countdown();
      });
    });
  }
};

// Catalogue preview: sends every lot of the sale to a newly connected viewer.
inline void send_catalogue(websocket::stream<beast::tcp_stream> &ws, const std::vector<std::string> &lots) {
  for (const auto &l : lots)
    ws.async_write(net::buffer(l), [](beast::error_code ec, std::size_t) { // expect: errorshield-ws-concurrent-write
      if (ec)
        std::cerr << "catalogue write failed\n";
    });
}

// Same preview, chained: the next lot goes out from the completion of the previous one.
inline void send_catalogue_chained(std::shared_ptr<websocket::stream<beast::tcp_stream>> ws,
                                   std::shared_ptr<std::vector<std::string>> lots, std::size_t i = 0) {
  if (i >= lots->size())
    return;
  ws->async_write(net::buffer((*lots)[i]), [ws, lots, i](beast::error_code ec, std::size_t) {
    if (!ec)
      send_catalogue_chained(ws, lots, i + 1);
  });
}

// Vet-report viewer (coroutine): results and photos are sent one after another.
net::awaitable<void> vet_report_session(tcp::socket s) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  co_await ws.async_accept(net::use_awaitable);
  std::string summary = R"({"lot":12,"xrays":"clean"})";
  std::string scope = R"({"lot":12,"scope":"grade 1"})";
  co_await ws.async_write(net::buffer(summary), net::use_awaitable);
  co_await ws.async_write(net::buffer(scope), net::use_awaitable);
}

// Pedigree lookup (coroutine): fires the pedigree and the sale history at once.
net::awaitable<void> pedigree_session(tcp::socket s) {
  auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(s));
  co_await ws->async_accept(net::use_awaitable);
  auto pedigree = std::make_shared<std::string>(R"({"sire":"Northern Dancer"})");
  auto history = std::make_shared<std::string>(R"({"sales":3})");
  ws->async_write(net::buffer(*pedigree), [ws, pedigree](beast::error_code, std::size_t) {});
  ws->async_write(net::buffer(*history), [ws, history](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  co_return;
}

// Generic notifier used by the stable office; keeps a busy flag.
template <class Stream> class office_notifier {
  websocket::stream<Stream> &ws_;
  std::deque<std::string> pending_;
  bool writing_ = false;

public:
  explicit office_notifier(websocket::stream<Stream> &ws) : ws_(ws) {}

  void notify(std::string text) {
    pending_.push_back(std::move(text));
    if (!writing_)
      pump();
  }

private:
  void pump() {
    writing_ = true;
    ws_.async_write(net::buffer(pending_.front()), [this](beast::error_code ec, std::size_t) {
      pending_.pop_front();
      if (ec || pending_.empty()) {
        writing_ = false;
        return;
      }
      pump();
    });
  }
};

// Sale-day announcements for the stable office, without the flag.
template <class Stream> void announce(websocket::stream<Stream> &ws, std::string &first, std::string &second) {
  ws.async_write(net::buffer(first), [](beast::error_code, std::size_t) {});
  ws.async_write(net::buffer(second), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
}

net::awaitable<void> listen(tcp::acceptor acc, ring &r) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(net::use_awaitable);
    switch (acc.local_endpoint().port()) {
    case 9000: std::make_shared<bidder_session>(std::move(s), r)->start(); break;
    case 9001: std::make_shared<auctioneer_console>(std::move(s), r)->start(); break;
    case 9002: net::co_spawn(acc.get_executor(), vet_report_session(std::move(s)), net::detached); break;
    default: net::co_spawn(acc.get_executor(), pedigree_session(std::move(s)), net::detached); break;
    }
  }
}

} // namespace auction

int main() {
  net::io_context ioc;
  auction::ring r;
  for (unsigned short port : {9000, 9001, 9002, 9003})
    net::co_spawn(ioc, auction::listen(tcp::acceptor(ioc, {tcp::v4(), port}), r), net::detached);

  websocket::stream<beast::tcp_stream> office(ioc);
  auction::office_notifier<beast::tcp_stream> notifier(office);
  notifier.notify("lot 14 withdrawn");
  std::string a = "lunch break 12:30", b = "ring 2 opens 13:00";
  websocket::stream<beast::tcp_stream> lobby_screen(ioc);
  auction::announce(lobby_screen, a, b);
  ioc.run();
}
