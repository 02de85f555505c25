// checks: errorshield-ws-concurrent-write
// Order-entry gateway: acks for a client's orders are gathered into one buffer and written as a
// batch, one batch at a time; the drop-copy feed writes its heartbeat with no such discipline.
#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

namespace oeg {

class AckSession : public std::enable_shared_from_this<AckSession> {
public:
  explicit AckSession(websocket::stream<beast::tcp_stream> ws) : ws_(std::move(ws)) {}

  // Called on the session's strand for every order the matching engine acknowledged.
  void ack(std::uint64_t order_id, const std::string &status) {
    pending_ += "{\"ack\":" + std::to_string(order_id) + ",\"status\":\"" + status + "\"}\n";
    flush();
  }

private:
  void flush() {
    if (in_flight_ || pending_.empty() || closing_)
      return;
    in_flight_ = true;
    batch_.swap(pending_);
    pending_.clear();
    ws_.async_write(net::buffer(batch_),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->in_flight_ = false;
                      if (ec) {
                        self->closing_ = true;
                        return;
                      }
                      self->flush();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::string pending_;
  std::string batch_;
  bool in_flight_ = false;
  bool closing_ = false;
};

class DropCopyFeed {
public:
  explicit DropCopyFeed(beast::tcp_stream stream) : stream_(std::move(stream)) {}

  // A timer fires this every second, whatever the trade writes are doing.
  void heartbeat(std::uint64_t seq) {
    heartbeat_ = "8=FIX.4.4|35=0|34=" + std::to_string(seq) + "|";
    sent_heartbeat_ = true;
    net::async_write(stream_, net::buffer(heartbeat_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

  void trade(std::string fix_message) {
    if (stopped_)
      return;
    last_trade_ = std::move(fix_message);
    net::async_write(stream_, net::buffer(last_trade_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

  void stop() { stopped_ = true; }

private:
  beast::tcp_stream stream_;
  std::string heartbeat_;
  std::string last_trade_;
  bool sent_heartbeat_ = false;
  bool stopped_ = false;
};

} // namespace oeg
