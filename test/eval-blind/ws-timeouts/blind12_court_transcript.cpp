// checks: errorshield-ws-timeouts
// Courtroom live transcript feed: the stenography engine streams realtime
// text, the server fans it out to the bench, counsel tables and press pool.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace court {

using ws_stream = websocket::stream<beast::tcp_stream>;

void log_line(const std::string& s) { std::fprintf(stderr, "[transcript] %s\n", s.c_str()); }

struct TranscriptLine {
  std::string case_no;
  std::uint64_t seq = 0;
  std::string speaker;
  std::string text;
  bool sealed = false;
};

inline std::string encode(const TranscriptLine& l) {
  return json{{"case", l.case_no}, {"seq", l.seq}, {"speaker", l.speaker}, {"text", l.text}}.dump();
}

void apply_court_timeouts(ws_stream& ws) {
  websocket::stream_base::timeout t{};
  t.handshake_timeout = 20s;
  t.idle_timeout = 90s;
  t.keep_alive_pings = true;
  ws.set_option(t);
}

// Public gallery / remote viewers.
class TranscriptViewerSession : public std::enable_shared_from_this<TranscriptViewerSession> {
 public:
  explicit TranscriptViewerSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    asio::dispatch(ws_.get_executor(), [self = shared_from_this()] { self->on_run(); });
  }

  void deliver(const TranscriptLine& line) {
    if (line.sealed) return;
    queue_.push_back(encode(line));
    if (queue_.size() == 1) write_next();
  }

 private:
  void on_run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) log_line("viewer accept: " + ec.message());
    });
  }

  void write_next() {
    ws_.async_write(asio::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->write_next();
    });
  }

  ws_stream ws_;  // OK: on_run sets server timeouts
  std::deque<std::string> queue_;
};

// Counsel-table terminals; helper keeps settings in one place.
class CounselSession : public std::enable_shared_from_this<CounselSession> {
 public:
  explicit CounselSession(tcp::socket s) : ws_(std::move(s)) { apply_court_timeouts(ws_); }

  void run() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->listen_for_marks();
    });
  }

 private:
  void listen_for_marks() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      log_line("counsel bookmark: " + beast::buffers_to_string(self->buf_.data()));
      self->buf_.clear();
      self->listen_for_marks();
    });
  }

  ws_stream ws_;  // OK
  beast::flat_buffer buf_;
};

// Press pool: read-only, high fan-out.
class PressPoolSession : public std::enable_shared_from_this<PressPoolSession> {
 public:
  explicit PressPoolSession(tcp::socket s) : ws_(std::move(s)) {
    ws_.read_message_max(4 * 1024);
    ws_.auto_fragment(false);
    ws_.write_buffer_bytes(8192);
  }

  void run() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) log_line("press accept: " + ec.message());
    });
  }

  void deliver(std::shared_ptr<const std::string> text) {
    ws_.async_write(asio::buffer(*text), [self = shared_from_this(), text](beast::error_code, std::size_t) {});
  }

 private:
  ws_stream ws_;  // expect: errorshield-ws-timeouts
};

// Upstream: we connect out to the stenography engine in the reporter's booth.
class StenoEngineClient : public std::enable_shared_from_this<StenoEngineClient> {
 public:
  using LineHandler = std::function<void(TranscriptLine)>;

  StenoEngineClient(asio::io_context& ioc, LineHandler on_line)
      : ws_(asio::make_strand(ioc)), on_line_(std::move(on_line)) {}

  void start(const tcp::endpoint& ep) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));  // expect: errorshield-ws-timeouts
    beast::get_lowest_layer(ws_).async_connect(ep, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return log_line("steno connect: " + ec.message());
      self->ws_.async_handshake("steno-booth-3", "/realtime", [self](beast::error_code ec2) {
        if (!ec2) self->read_line();
      });
    });
  }

 private:
  void read_line() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return log_line("steno feed lost: " + ec.message());
      auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.clear();
      if (j.is_object()) {
        TranscriptLine l{j.value("case", ""), j.value("seq", std::uint64_t{0}), j.value("speaker", ""),
                         j.value("text", ""), j.value("sealed", false)};
        self->on_line_(std::move(l));
      }
      self->read_line();
    });
  }

  ws_stream ws_;
  beast::flat_buffer buf_;
  LineHandler on_line_;
};

// Backup steno engine (second booth). Same client role, but idle detection
// explicitly switched on after the booth-3 outage review.
class BackupStenoClient {
 public:
  explicit BackupStenoClient(asio::io_context& ioc) : ws_(asio::make_strand(ioc)) {
    auto t = websocket::stream_base::timeout::suggested(beast::role_type::client);
    t.idle_timeout = 30s;
    t.keep_alive_pings = true;
    ws_.set_option(t);  // OK
  }

  ws_stream& stream() { return ws_; }

 private:
  ws_stream ws_;  // OK
};

// Bench display for the judge; created lazily when the judge signs in.
class BenchChannel {
 public:
  void open(tcp::socket s) {
    judge_ws_ = std::make_shared<ws_stream>(std::move(s));  // OK: configured below via pointer
    websocket::stream_base::timeout t{};
    t.handshake_timeout = 10s;
    t.idle_timeout = 45s;
    t.keep_alive_pings = true;
    judge_ws_->set_option(t);
    judge_ws_->async_accept([ws = judge_ws_](beast::error_code ec) {
      if (ec) log_line("bench accept: " + ec.message());
    });
  }

 private:
  std::shared_ptr<ws_stream> judge_ws_;
};

// Sealed-session room: the handler is registered at startup and only run
// when the clerk switches the courtroom into a closed hearing.
class SealedRoom {
 public:
  SealedRoom() {
    on_sealed_client_ = [this](tcp::socket s) {
      auto ws = std::make_shared<ws_stream>(std::move(s));  // expect: errorshield-ws-timeouts
      ws->read_message_max(4 * 1024);
      ws->async_accept([this, ws](beast::error_code ec) {
        if (!ec) clients_.push_back(ws);
      });
    };
  }

  void admit(tcp::socket s) {
    if (on_sealed_client_) on_sealed_client_(std::move(s));
  }

  void broadcast(const TranscriptLine& line) {
    auto text = std::make_shared<std::string>(encode(line));
    for (auto& c : clients_) c->async_write(asio::buffer(*text), [text, c](beast::error_code, std::size_t) {});
  }

 private:
  std::function<void(tcp::socket)> on_sealed_client_;
  std::vector<std::shared_ptr<ws_stream>> clients_;
};

void accept_viewers(tcp::acceptor& acc) {
  acc.async_accept([&acc](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<TranscriptViewerSession>(std::move(s))->run();
    accept_viewers(acc);
  });
}

}  // namespace court
