// checks: errorshield-ws-message-limit
// Reading-room notes service. Radiologists attach findings, measurements and
// key-image snapshots to a study while they read it; referring clinicians get a
// read-only feed of finalised notes. Prior reports are pulled from the PACS
// gateway, which speaks WebSocket as well.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace rad {

struct notes_config {
  std::size_t max_note_bytes = 256 * 1024;
  std::size_t max_key_image_bytes = 24 * 1024 * 1024;
  std::size_t max_ack_bytes = 4096;
  std::string pacs_host = "pacs-gw.internal";
  std::string pacs_port = "8042";
};

inline notes_config load_config(const std::string& path) {
  notes_config cfg;
  std::ifstream in(path);
  if (!in) return cfg;
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded()) return cfg;
  cfg.max_note_bytes = j.value("max_note_bytes", cfg.max_note_bytes);
  cfg.max_key_image_bytes = j.value("max_key_image_bytes", cfg.max_key_image_bytes);
  cfg.max_ack_bytes = j.value("max_ack_bytes", cfg.max_ack_bytes);
  cfg.pacs_host = j.value("pacs_host", cfg.pacs_host);
  cfg.pacs_port = j.value("pacs_port", cfg.pacs_port);
  return cfg;
}

struct study_note {
  std::string study_uid;
  std::string author;
  std::string text;
  std::vector<double> measurements_mm;
};

class note_store {
 public:
  void add(study_note n) {
    std::lock_guard lk(mu_);
    notes_[n.study_uid].push_back(std::move(n));
  }
  std::size_t count(const std::string& uid) const {
    std::lock_guard lk(mu_);
    auto it = notes_.find(uid);
    return it == notes_.end() ? 0 : it->second.size();
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::vector<study_note>> notes_;
};

// Options shared by every reading-room socket.
template <class Stream>
void apply_reading_room_options(Stream& ws, const notes_config& cfg) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "rad-notes/2.3"); }));
  ws.read_message_max(cfg.max_note_bytes);
}

// Reads one complete message and hands it to the callback.
template <class Stream, class Buffer, class Handler>
void read_next_message(Stream& ws, Buffer& buf, Handler&& handler) {
  ws.async_read(buf, std::forward<Handler>(handler));
}

// Dictation / free-text findings from the reporting workstation.
class annotation_session : public std::enable_shared_from_this<annotation_session> {
 public:
  annotation_session(tcp::socket sock, const notes_config& cfg, note_store& store)
      : ws_(std::move(sock)), cfg_(cfg), store_(store) {}

  void run() {
    apply_reading_room_options(ws_, cfg_);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    read_next_message(ws_, buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->on_note();
    });
  }

  void on_note() {
    auto j = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (!j.is_discarded() && j.contains("study_uid")) {
      store_.add({j["study_uid"].get<std::string>(), j.value("author", ""), j.value("text", ""),
                  j.value("measurements_mm", std::vector<double>{})});
    }
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  const notes_config& cfg_;
  note_store& store_;
  beast::flat_buffer buffer_;
};

// Caliper measurements streamed from the viewer plug-in while the radiologist drags.
class measurement_session : public std::enable_shared_from_this<measurement_session> {
 public:
  measurement_session(tcp::socket sock, note_store& store) : ws_(std::move(sock)), store_(store) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    read_next_message(ws_, buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
      if (ec) return;
      auto j = json::parse(beast::buffers_to_string(self->buffer_.data()), nullptr, false);
      self->buffer_.consume(self->buffer_.size());
      if (!j.is_discarded() && j.contains("study_uid"))
        self->store_.add({j["study_uid"].get<std::string>(), "caliper", "",
                          j.value("values", std::vector<double>{})});
      self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  note_store& store_;
  beast::flat_buffer buffer_;
};

// Key-image snapshots (secondary-capture PNGs) uploaded from the viewer.
class key_image_session : public std::enable_shared_from_this<key_image_session> {
 public:
  key_image_session(tcp::socket sock, const notes_config& cfg)
      : ws_(std::make_unique<websocket::stream<beast::tcp_stream>>(std::move(sock))), cfg_(cfg) {}

  void run() {
    ws_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_->binary(true);
    ws_->auto_fragment(false);
    ws_->write_buffer_bytes(64 * 1024);
    ws_->async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_->async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) { // expect: errorshield-ws-message-limit
      if (ec) return;
      self->on_image(n);
    });
  }

  void on_image(std::size_t n) {
    if (n > cfg_.max_key_image_bytes) {
      buffer_.consume(buffer_.size());
      ws_->async_close(websocket::close_code::too_big, [self = shared_from_this()](beast::error_code) {});
      return;
    }
    images_.emplace_back(beast::buffers_to_string(buffer_.data()));
    buffer_.consume(buffer_.size());
    do_read();
  }

  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws_;
  const notes_config& cfg_;
  beast::flat_buffer buffer_;
  std::vector<std::string> images_;
};

// Read-only feed for referring clinicians; they only send acknowledgements back.
class clinician_feed_session : public std::enable_shared_from_this<clinician_feed_session> {
 public:
  clinician_feed_session(tcp::socket sock, const notes_config& cfg) : ws_(std::move(sock)), cfg_(cfg) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    ws_.read_message_max(cfg_.max_ack_bytes);
    ws_.text(true);
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->buffer_.consume(self->buffer_.size());
      ++self->acks_;
      self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  const notes_config& cfg_;
  beast::flat_buffer buffer_;
  std::size_t acks_ = 0;
};

// Pulls prior reports for an accession from the PACS gateway (worker thread).
inline json fetch_prior_reports(net::io_context& ioc, const notes_config& cfg, const std::string& accession) {
  tcp::resolver resolver(ioc);
  websocket::stream<tcp::socket> ws(ioc);
  auto results = resolver.resolve(cfg.pacs_host, cfg.pacs_port);
  net::connect(ws.next_layer(), results.begin(), results.end());
  ws.handshake(cfg.pacs_host, "/priors");
  ws.text(true);
  ws.write(net::buffer(json{{"accession", accession}}.dump()));

  beast::flat_buffer buf;
  ws.read(buf); // expect: errorshield-ws-message-limit
  ws.close(websocket::close_code::normal);
  return json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
}

// Tells the PACS gateway a study has a signed report; nothing comes back.
inline void notify_report_signed(net::io_context& ioc, const notes_config& cfg, const std::string& study_uid) {
  tcp::resolver resolver(ioc);
  websocket::stream<tcp::socket> ws(ioc);
  auto results = resolver.resolve(cfg.pacs_host, cfg.pacs_port);
  net::connect(ws.next_layer(), results.begin(), results.end());
  ws.handshake(cfg.pacs_host, "/signed");
  ws.text(true);
  ws.write(net::buffer(json{{"study_uid", study_uid}, {"status", "SIGNED"}}.dump()));
  ws.close(websocket::close_code::normal);
}

// HL7 order lookups arrive as plain HTTP on the same port before any upgrade.
inline std::string read_order_lookup(tcp::socket& sock, beast::flat_buffer& buf) {
  http::request_parser<http::string_body> parser;
  parser.body_limit(64 * 1024);
  http::read(sock, buf, parser);
  return parser.get().body();
}

class listener : public std::enable_shared_from_this<listener> {
 public:
  listener(net::io_context& ioc, tcp::endpoint ep, notes_config cfg)
      : ioc_(ioc), acceptor_(ioc, ep), cfg_(std::move(cfg)) {}

  void run() { do_accept(); }

 private:
  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (!ec) self->dispatch(std::move(s));
      self->do_accept();
    });
  }

  void dispatch(tcp::socket s) {
    const auto port = acceptor_.local_endpoint().port();
    if (port == 9101)
      std::make_shared<measurement_session>(std::move(s), store_)->run();
    else if (port == 9102)
      std::make_shared<key_image_session>(std::move(s), cfg_)->run();
    else if (port == 9103)
      std::make_shared<clinician_feed_session>(std::move(s), cfg_)->run();
    else
      std::make_shared<annotation_session>(std::move(s), cfg_, store_)->run();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  notes_config cfg_;
  note_store store_;
};

}  // namespace rad
