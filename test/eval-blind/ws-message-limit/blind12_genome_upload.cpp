// checks: errorshield-ws-message-limit
// Sequencer upload relay: instruments stream FASTQ/BAM chunks over WebSocket,
// the relay validates framing and forwards chunks to the archive cluster.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace genome_relay {

constexpr std::size_t kMaxChunkBytes = 4 * 1024 * 1024;   // one sequencer chunk
constexpr std::size_t kMaxAckBytes = 16 * 1024;           // archive acknowledgements
constexpr std::size_t kMaxManifestBytes = 256 * 1024;     // run manifest (JSON)

using ws_stream = websocket::stream<beast::tcp_stream>;

void log_line(const std::string& msg) { std::fprintf(stderr, "[relay] %s\n", msg.c_str()); }

// All instrument-facing sockets go through here before the handshake.
void configure_upload_stream(ws_stream& ws) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(kMaxChunkBytes);
  ws.auto_fragment(false);
  ws.binary(true);
}

struct ChunkHeader {
  std::string run_id;
  std::uint32_t lane = 0;
  std::uint64_t seq = 0;
};

inline bool parse_header(const beast::flat_buffer& buf, ChunkHeader& out) {
  if (buf.size() < 16) return false;
  auto* p = static_cast<const unsigned char*>(buf.data().data());
  out.lane = p[0];
  out.seq = 0;
  for (int i = 0; i < 8; ++i) out.seq = (out.seq << 8) | p[8 + i];
  return true;
}

class ArchiveForwarder : public std::enable_shared_from_this<ArchiveForwarder> {
 public:
  ArchiveForwarder(asio::io_context& ioc, tcp::endpoint ep) : ioc_(ioc), ep_(ep) {}

  void start() {
    upstream_ = std::make_unique<ws_stream>(asio::make_strand(ioc_));
    upstream_->read_message_max(kMaxAckBytes);  // OK: acks are tiny
    beast::get_lowest_layer(*upstream_).async_connect(
        ep_, [self = shared_from_this()](beast::error_code ec) {
          if (ec) return self->on_failure(ec);
          self->upstream_->async_handshake("archive.internal", "/ingest",
                                           [self](beast::error_code ec2) {
                                             if (ec2) return self->on_failure(ec2);
                                             self->read_ack();
                                           });
        });
  }

  void forward(std::shared_ptr<std::vector<std::uint8_t>> chunk) {
    upstream_->binary(true);
    upstream_->async_write(asio::buffer(*chunk), [chunk](beast::error_code, std::size_t) {});
  }

 private:
  void read_ack() {
    upstream_->async_read(ack_buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {  // OK: limit set in start()
      if (ec) return self->on_failure(ec);
      self->ack_buf_.consume(self->ack_buf_.size());
      self->read_ack();
    });
  }

  // Rarely taken: archive node restarted mid-run. Drain the resume token from
  // a fresh connection before switching traffic over.
  void on_failure(beast::error_code ec) {
    log_line("archive link lost: " + ec.message());
    if (++retries_ > 5) return;
    auto fresh = std::make_shared<ws_stream>(asio::make_strand(ioc_));
    beast::get_lowest_layer(*fresh).async_connect(
        ep_, [self = shared_from_this(), fresh](beast::error_code ec2) {
          if (ec2) return;
          fresh->async_handshake("archive.internal", "/resume", [self, fresh](beast::error_code ec3) {
            if (ec3) return;
            auto buf = std::make_shared<beast::flat_buffer>();
            fresh->async_read(*buf, [self, fresh, buf](beast::error_code ec4, std::size_t) {  // expect: errorshield-ws-message-limit
              if (ec4) return;
              log_line("resume token: " + beast::buffers_to_string(buf->data()));
            });
          });
        });
  }

  asio::io_context& ioc_;
  tcp::endpoint ep_;
  std::unique_ptr<ws_stream> upstream_;
  beast::flat_buffer ack_buf_;
  int retries_ = 0;
};

class UploadSession : public std::enable_shared_from_this<UploadSession> {
 public:
  UploadSession(tcp::socket sock, std::shared_ptr<ArchiveForwarder> fwd)
      : ws_(std::move(sock)), fwd_(std::move(fwd)) {}

  void run() {
    configure_upload_stream(ws_);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {  // OK: configure_upload_stream
      if (ec) return;
      ChunkHeader h;
      if (parse_header(self->buffer_, h)) {
        auto chunk = std::make_shared<std::vector<std::uint8_t>>(n);
        asio::buffer_copy(asio::buffer(*chunk), self->buffer_.data());
        self->fwd_->forward(chunk);
      }
      self->buffer_.consume(n);
      self->do_read();
    });
  }

  ws_stream ws_;
  beast::flat_buffer buffer_;
  std::shared_ptr<ArchiveForwarder> fwd_;
};

// Pumps chunks from a lab-local instrument bridge; NextLayer is a plain
// socket on the bench rig and a tcp_stream in production.
template <class NextLayer>
class ChunkPump {
 public:
  explicit ChunkPump(NextLayer layer) : ws_(std::move(layer)) { ws_.binary(true); }

  template <class Sink>
  void pump(Sink&& sink) {
    ws_.async_read(buf_, [this, sink = std::forward<Sink>(sink)](beast::error_code ec, std::size_t n) mutable {  // expect: errorshield-ws-message-limit
      if (ec) return;
      sink(beast::buffers_to_string(buf_.data()));
      buf_.consume(n);
      pump(std::move(sink));
    });
  }

  websocket::stream<NextLayer>& stream() { return ws_; }

 private:
  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buf_;
};

void start_bench_rig(tcp::socket rig_sock, std::function<void(std::string)> on_chunk) {
  auto pump = std::make_shared<ChunkPump<tcp::socket>>(std::move(rig_sock));
  pump->stream().next_layer().set_option(tcp::no_delay(true));
  pump->stream().accept();
  pump->pump([pump, on_chunk](std::string chunk) { on_chunk(std::move(chunk)); });
}

// Reads the run manifest; the caller owns the limit policy.
json read_manifest(websocket::stream<tcp::socket>& ws) {
  beast::flat_buffer buf;
  ws.read(buf);  // OK: the caller sets read_message_max first
  return json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
}

json fetch_manifest_sync(asio::io_context& ioc, const tcp::endpoint& ep) {
  websocket::stream<tcp::socket> ws(ioc);
  ws.next_layer().connect(ep);
  ws.handshake("lims.internal", "/manifest");
  ws.read_message_max(kMaxManifestBytes);
  return read_manifest(ws);
}

// Metadata probe used by the web dashboard (sample sheet preview).
asio::awaitable<void> handle_metadata_probe(tcp::socket sock) {
  ws_stream ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(asio::use_awaitable);
  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, asio::use_awaitable);  // expect: errorshield-ws-message-limit
    auto req = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    json reply = {{"run", req.value("run_id", "")}, {"status", "queued"}};
    ws.text(true);
    co_await ws.async_write(asio::buffer(reply.dump()), asio::use_awaitable);
  }
}

// QC side channel: engineers wanted the current cap in the logs.
void qc_channel(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  const std::size_t cap = ws.read_message_max();
  log_line("qc channel cap=" + std::to_string(cap));
  beast::flat_buffer buf;
  beast::error_code ec;
  ws.read(buf, ec);  // expect: errorshield-ws-message-limit
  if (ec) log_line("qc read failed: " + ec.message());
}

// Progress notifier only ever writes; no reads on this stream.
void notify_progress(websocket::stream<tcp::socket>& ws, const std::string& run, double pct) {
  json j = {{"run", run}, {"pct", pct}};
  ws.text(true);
  ws.write(asio::buffer(j.dump()));
}

// Legacy HTTP upload path: the body limit lives on the parser, not a WebSocket.
void legacy_http_upload(tcp::socket& sock) {
  beast::flat_buffer buf;
  http::request_parser<http::vector_body<std::uint8_t>> parser;
  parser.body_limit(kMaxChunkBytes);
  beast::error_code ec;
  http::read(sock, buf, parser, ec);
  if (ec) log_line("legacy upload: " + ec.message());
}

void accept_loop(tcp::acceptor& acc, std::shared_ptr<ArchiveForwarder> fwd) {
  acc.async_accept([&acc, fwd](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<UploadSession>(std::move(s), fwd)->run();
    accept_loop(acc, fwd);
  });
}

}  // namespace genome_relay
