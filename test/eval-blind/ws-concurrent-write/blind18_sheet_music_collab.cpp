// checks: errorshield-ws-concurrent-write
// Collaborative score editor backend. Arrangers open the same score in the
// browser; note edits, cursor positions and engraving results are pushed over
// a WebSocket per editor. The whole service runs on a single io_context
// thread, so rooms and sessions need no locks.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

using Shared = std::shared_ptr<const std::string>;

// Renders a score to PDF through the engraving service (LilyPond farm).
class EngraverClient : public std::enable_shared_from_this<EngraverClient> {
public:
  using Done = std::function<void(beast::error_code, std::string)>;

  EngraverClient(net::io_context& ioc, tcp::endpoint ep) : stream_(ioc), ep_(ep) {}

  void render(const json& score, Done done) {
    done_ = std::move(done);
    req_ = {http::verb::post, "/render", 11};
    req_.set(http::field::content_type, "application/json");
    req_.body() = score.dump();
    req_.prepare_payload();
    stream_.expires_after(60s);
    stream_.async_connect(ep_, [self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return self->done_(ec, {});
      http::async_write(self->stream_, self->req_, [self](beast::error_code ec2, std::size_t) {
        if (ec2)
          return self->done_(ec2, {});
        http::async_read(self->stream_, self->buf_, self->res_, [self](beast::error_code ec3, std::size_t) {
          self->done_(ec3, ec3 ? std::string{} : self->res_.body());
        });
      });
    });
  }

private:
  beast::tcp_stream stream_;
  tcp::endpoint ep_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  beast::flat_buffer buf_;
  Done done_;
};

class Editor;

class ScoreRoom {
public:
  explicit ScoreRoom(std::string score_id) : score_id_(std::move(score_id)) {}

  void join(Editor* e) { editors_.insert(e); }
  void leave(Editor* e) { editors_.erase(e); }

  void publish_edit(const json& edit);
  void publish_cursor(Editor* from, const json& cursor);

  const std::vector<Shared>& history() const { return history_; }
  std::uint64_t revision() const { return history_.size(); }

private:
  std::string score_id_;
  std::set<Editor*> editors_;
  std::vector<Shared> history_;
};

class Editor : public std::enable_shared_from_this<Editor> {
public:
  Editor(tcp::socket sock, ScoreRoom* room, net::io_context& ioc, tcp::endpoint engraver)
      : ws_(std::move(sock)), ping_timer_(ws_.get_executor()), room_(room), ioc_(ioc), engraver_(engraver) {}

  websocket::stream<beast::tcp_stream>& stream() { return ws_; }

  void start() {
    ws_.read_message_max(512 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->room_->join(self.get());
      self->send_history();
      self->arm_ping();
      self->read_next();
    });
  }

  // Queued delivery: one frame in flight at a time.
  void deliver(Shared frame) {
    outbox_.push_back(std::move(frame));
    if (!writing_ && !exporting_)
      write_front();
  }

private:
  void write_front() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(*outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      if (ec)
                        return self->drop();
                      self->outbox_.pop_front();
                      if (!self->outbox_.empty())
                        self->write_front();
                    });
  }

  void send_history() {
    for (const auto& rev : room_->history()) ws_.async_write(net::buffer(*rev), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

  // Export streams the full edit log one frame after another.
  void export_from(std::size_t idx) {
    if (idx >= room_->history().size())
      return;
    exporting_ = true;
    auto rev = room_->history()[idx];
    ws_.async_write(net::buffer(*rev), [self = shared_from_this(), idx, rev](beast::error_code ec, std::size_t) {
      if (ec || idx + 1 >= self->room_->history().size()) {
        self->exporting_ = false;
        if (!ec && !self->outbox_.empty())
          self->write_front();
        return;
      }
      self->export_from(idx + 1);
    });
  }

  void arm_ping() {
    ping_timer_.expires_after(20s);
    ping_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      if (!self->ping_outstanding_) {
        self->ping_outstanding_ = true;
        self->ws_.async_ping({}, [self](beast::error_code pec) {
          self->ping_outstanding_ = false;
          if (pec)
            self->drop();
        });
      }
      self->arm_ping();
    });
  }

  void read_next() {
    ws_.async_read(inbuf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec)
        return self->drop();
      auto msg = json::parse(beast::buffers_to_string(self->inbuf_.data()), nullptr, false);
      self->inbuf_.consume(n);
      if (!msg.is_discarded())
        self->handle(msg);
      self->read_next();
    });
  }

  void handle(const json& msg) {
    const auto type = msg.value("type", "");
    if (type == "edit") {
      room_->publish_edit(msg);
      auto ack = std::make_shared<std::string>(json{{"type", "ack"}, {"rev", room_->revision()}}.dump());
      ws_.async_write(net::buffer(*ack), [ack](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    } else if (type == "cursor") {
      room_->publish_cursor(this, msg);
    } else if (type == "export") {
      if (!exporting_ && !writing_ && outbox_.empty())
        export_from(0);
    } else if (type == "engrave") {
      on_engraved_ = [weak = weak_from_this()](beast::error_code ec, std::string pdf_url) {
        auto self = weak.lock();
        if (!self)
          return;
        auto note = std::make_shared<std::string>(
            json{{"type", "engraved"}, {"ok", !ec}, {"url", pdf_url}}.dump());
        self->ws_.async_write(net::buffer(*note), [note](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
      };
      auto client = std::make_shared<EngraverClient>(ioc_, engraver_);
      client->render(msg.value("score", json::object()), on_engraved_);
    } else if (type == "title") {
      deliver(std::make_shared<const std::string>(
          json{{"type", "title_ok"}, {"title", msg.value("title", "")}}.dump()));
    } else if (type == "bye") {
      if (!closing_) {
        closing_ = true;
        ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {});
      }
    }
  }

  void drop() {
    room_->leave(this);
    ping_timer_.cancel();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer inbuf_;
  net::steady_timer ping_timer_;
  std::deque<Shared> outbox_;
  bool writing_ = false;
  bool exporting_ = false;
  bool ping_outstanding_ = false;
  bool closing_ = false;
  ScoreRoom* room_;
  net::io_context& ioc_;
  tcp::endpoint engraver_;
  EngraverClient::Done on_engraved_;
};

void ScoreRoom::publish_edit(const json& edit) {
  auto frame = std::make_shared<const std::string>(
      json{{"type", "edit"}, {"score", score_id_}, {"rev", history_.size() + 1}, {"op", edit.value("op", json{})}}
          .dump());
  history_.push_back(frame);
  for (Editor* e : editors_)
    e->deliver(frame);
}

void ScoreRoom::publish_cursor(Editor* from, const json& cursor) {
  // Cursor updates are frequent and disposable.
  auto frame = std::make_shared<const std::string>(
      json{{"type", "cursor"}, {"measure", cursor.value("measure", 0)}, {"beat", cursor.value("beat", 0.0)}}.dump());
  for (Editor* e : editors_) {
    if (e == from)
      continue;
    e->stream().async_write(net::buffer(*frame), [frame](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }
}

class RoomListener : public std::enable_shared_from_this<RoomListener> {
public:
  RoomListener(net::io_context& ioc, tcp::endpoint ep, tcp::endpoint engraver)
      : ioc_(ioc), acceptor_(ioc, ep), engraver_(engraver) {}

  void run() { accept(); }

private:
  void accept() {
    acceptor_.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        // Single demo room until the score directory service lands.
        std::make_shared<Editor>(std::move(s), &self->room_, self->ioc_, self->engraver_)->start();
      }
      self->accept();
    });
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  tcp::endpoint engraver_;
  ScoreRoom room_{"default"};
};
