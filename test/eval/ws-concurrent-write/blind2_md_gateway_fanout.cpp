// checks: errorshield-ws-concurrent-write
// Market-data gateway: pushes top-of-book updates to websocket subscribers.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <queue>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace mdg::feed::detail {

struct Quote {
  std::string symbol;
  std::int64_t bid_px = 0;
  std::int64_t ask_px = 0;
  std::uint32_t bid_qty = 0;
  std::uint32_t ask_qty = 0;

  std::string encode() const {
    return symbol + "|" + std::to_string(bid_px) + "|" + std::to_string(ask_px) + "|" +
           std::to_string(bid_qty) + "|" + std::to_string(ask_qty);
  }
};

// Subscriber session, templated over the next layer (plain TCP or TLS).
template <class NextLayer>
class SubscriberSession : public std::enable_shared_from_this<SubscriberSession<NextLayer>> {
  websocket::stream<NextLayer> ws_;
  std::deque<std::shared_ptr<const std::string>> outbox_;
  std::vector<Quote> snapshot_;
  beast::flat_buffer inbound_;

 public:
  explicit SubscriberSession(NextLayer&& layer) : ws_(std::move(layer)) {}

  // Correct: chat-multi style queue; only the first queued message starts a write.
  void publish(std::shared_ptr<const std::string> frame) {
    outbox_.push_back(std::move(frame));
    if (outbox_.size() > 1)
      return;
    ws_.async_write(net::buffer(*outbox_.front()),  // correct: front of member queue
                    beast::bind_front_handler(&SubscriberSession::on_write, this->shared_from_this()));
  }

  // BUG: heartbeat bypasses the outbox, may overlap a publish() write in flight.
  void heartbeat() {
    auto hb = std::make_shared<std::string>("{\"type\":\"hb\"}");
    ws_.async_write(net::buffer(*hb),  // expect: errorshield-ws-concurrent-write
                    [hb](beast::error_code, std::size_t) {});
  }

  // BUG: replays a full snapshot by starting one write per instrument.
  void replay_snapshot() {
    for (auto const& q : snapshot_) {
      auto line = std::make_shared<std::string>(q.encode());
      ws_.async_write(net::buffer(*line),  // expect: errorshield-ws-concurrent-write
                      [line](beast::error_code, std::size_t) {});
    }
  }

  // Correct: the loop only enqueues, the single write is started after it.
  void replay_snapshot_queued() {
    bool idle = outbox_.empty();
    for (auto const& q : snapshot_)
      outbox_.push_back(std::make_shared<const std::string>(q.encode()));
    if (!idle || outbox_.empty())
      return;
    ws_.async_write(net::buffer(*outbox_.front()),  // correct: front of member queue, not in loop
                    beast::bind_front_handler(&SubscriberSession::on_write, this->shared_from_this()));
  }

 private:
  void on_write(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    outbox_.pop_front();  // correct: popped after the write completed
    if (!outbox_.empty())
      ws_.async_write(net::buffer(*outbox_.front()),  // correct: next from front
                      beast::bind_front_handler(&SubscriberSession::on_write, this->shared_from_this()));
  }
};

template class SubscriberSession<beast::tcp_stream>;
template class SubscriberSession<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace mdg::feed::detail

namespace mdg::feed {

// Drop-copy channel to a risk engine; std::queue of owned strings, serialised on a strand.
class DropCopyChannel {
  net::strand<net::io_context::executor_type> strand_;
  websocket::stream<beast::tcp_stream> ws_;
  std::queue<std::string> pending_;
  std::string logon_frame_;

 public:
  explicit DropCopyChannel(net::io_context& ioc)
      : strand_(net::make_strand(ioc)), ws_(strand_) {}

  void send_fill(std::string fill) {
    net::dispatch(strand_, [this, fill = std::move(fill)]() mutable {
      pending_.push(std::move(fill));
      if (pending_.size() == 1)
        start_write();
    });
  }

  // BUG: logon frame is written from a plain member string, racing queued fills.
  void resend_logon() {
    ws_.async_write(net::buffer(logon_frame_),  // expect: errorshield-ws-concurrent-write
                    net::bind_executor(strand_, [](beast::error_code, std::size_t) {}));
  }

 private:
  void start_write() {
    ws_.async_write(net::buffer(pending_.front()),  // correct: front of member std::queue
                    net::bind_executor(strand_, [this](beast::error_code ec, std::size_t) {
                      if (ec)
                        return;
                      pending_.pop();  // correct: after completion
                      if (!pending_.empty())
                        start_write();
                    }));
  }
};

// Order-ack stream over TLS; vector used as the queue.
class OrderAckStream {
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
  std::vector<std::string> acks_;
  std::vector<std::string> audit_lines_;

 public:
  OrderAckStream(net::io_context& ioc, net::ssl::context& ctx) : ws_(ioc, ctx) {}

  void ack(std::string text) {
    acks_.push_back(std::move(text));
    if (acks_.size() > 1)
      return;
    ws_.async_write(net::buffer(acks_[0]),  // correct: element 0 of member vector
                    std::bind(&OrderAckStream::on_ack_written, this, std::placeholders::_1,
                              std::placeholders::_2));
  }

  // BUG: drains the whole vector by issuing overlapping writes.
  void flush_audit() {
    for (std::size_t i = 0; i < audit_lines_.size(); ++i)
      ws_.async_write(net::buffer(audit_lines_[i]), [](beast::error_code, std::size_t) {});  // expect: errorshield-ws-concurrent-write
  }

 private:
  void on_ack_written(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    acks_.erase(acks_.begin());  // correct: completed write is removed
    if (!acks_.empty())
      ws_.async_write(net::buffer(acks_[0]),  // correct: next element 0
                      std::bind(&OrderAckStream::on_ack_written, this, std::placeholders::_1,
                                std::placeholders::_2));
  }
};

// Admin console channel; std::list queue.
class AdminConsole : public std::enable_shared_from_this<AdminConsole> {
  websocket::stream<beast::tcp_stream> ws_;
  std::list<std::string> lines_;

 public:
  explicit AdminConsole(tcp::socket sock) : ws_(std::move(sock)) {}

  void print(std::string s) {
    lines_.push_back(std::move(s));
    if (lines_.size() > 1)
      return;
    write_head();
  }

 private:
  void write_head() {
    ws_.async_write(net::buffer(*lines_.begin()),  // correct: begin() of member list
                    beast::bind_front_handler(&AdminConsole::on_line, shared_from_this()));
    lines_.pop_front();  // expect: errorshield-ws-concurrent-write
  }

  void on_line(beast::error_code ec, std::size_t) {
    if (!ec && !lines_.empty())
      write_head();
  }
};

}  // namespace mdg::feed
