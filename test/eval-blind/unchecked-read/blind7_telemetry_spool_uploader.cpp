// checks: errorshield-unchecked-read
// Telemetry uploader: drains on-disk spool files, ships them to the collector
// over HTTP(S) and listens on a control pipe for flush/stop commands.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

#define TEL_LOG(fmt, ...) std::fprintf(stderr, "[telemetry] " fmt "\n", ##__VA_ARGS__)

namespace telemetry {

struct UploaderConfig {
  std::string collector_host = "collector.internal";
  std::string target = "/v2/events";
  std::size_t max_batch = 512;
};

#pragma pack(push, 1)
struct SpoolRecord {
  std::uint32_t magic;
  std::uint32_t event_id;
  std::uint64_t ts_ms;
};
#pragma pack(pop)

struct ControlCmd {
  std::uint8_t op;  // 1 = flush, 2 = stop
  std::uint8_t pad[3];
};

// Shared checker for raw POSIX reads.
inline bool full_read(ssize_t got, std::size_t want, const char* what) {
  if (got < 0) {
    TEL_LOG("%s: read failed", what);
    return false;
  }
  if (static_cast<std::size_t>(got) != want) {
    TEL_LOG("%s: short read (%zd/%zu)", what, got, want);
    return false;
  }
  return true;
}

class SpoolReader {
 public:
  explicit SpoolReader(std::string path) : path_(std::move(path)) {}

  std::vector<SpoolRecord> load_legacy() {
    std::ifstream in(path_, std::ios::binary);
    std::vector<SpoolRecord> out;
    SpoolRecord rec{};
    while (!in.eof()) {
      in.read(reinterpret_cast<char*>(&rec), sizeof rec); // expect: errorshield-unchecked-read
      out.push_back(rec);
    }
    return out;
  }

  std::vector<SpoolRecord> load() {
    std::ifstream in(path_, std::ios::binary);
    std::vector<SpoolRecord> out;
    SpoolRecord rec{};
    while (in.read(reinterpret_cast<char*>(&rec), sizeof rec)) out.push_back(rec);
    return out;
  }

  std::optional<SpoolRecord> peek_first() {
    std::ifstream in(path_, std::ios::binary);
    SpoolRecord rec{};
    in.read(reinterpret_cast<char*>(&rec), sizeof rec);
    if (in.gcount() != static_cast<std::streamsize>(sizeof rec)) return std::nullopt;
    return rec;
  }

 private:
  std::string path_;
};

class ControlPipe {
 public:
  explicit ControlPipe(int fd) : fd_(fd) {}

  int next_op_unchecked() {
    ControlCmd cmd{};
    ::read(fd_, &cmd, sizeof cmd); // expect: errorshield-unchecked-read
    return cmd.op;
  }

  int next_op() {
    ControlCmd cmd{};
    const ssize_t got = ::read(fd_, &cmd, sizeof cmd);
    if (!full_read(got, sizeof cmd, "control pipe")) return -1;
    return cmd.op;
  }

 private:
  int fd_;
};

// Blocking upload used by the crash reporter (no io_context running).
bool upload_crash_dump(tcp::socket& sock, const UploaderConfig& cfg, const std::string& dump) {
  http::request<http::string_body> req{http::verb::post, cfg.target, 11};
  req.set(http::field::host, cfg.collector_host);
  req.body() = dump;
  req.prepare_payload();
  http::write(sock, req);

  beast::flat_buffer buf;
  http::response<http::string_body> res;
  beast::error_code ec;
  http::read(sock, buf, res, ec); // expect: errorshield-unchecked-read
  return res.result() == http::status::ok;
}

bool upload_crash_dump_checked(tcp::socket& sock, const UploaderConfig& cfg, const std::string& dump) {
  http::request<http::string_body> req{http::verb::post, cfg.target, 11};
  req.set(http::field::host, cfg.collector_host);
  req.body() = dump;
  req.prepare_payload();
  http::write(sock, req);

  beast::flat_buffer buf;
  http::response<http::string_body> res;
  beast::error_code ec;
  http::read(sock, buf, res, ec);
  if (ec && ec != http::error::end_of_stream) return false;
  return res.result() == http::status::ok;
}

// Raw ack protocol spoken by the old collector: 4-byte little-endian count.
std::uint32_t read_legacy_ack(tcp::socket& sock) {
  std::uint32_t acked = 0;
  beast::error_code ec;
  asio::read(sock, asio::buffer(&acked, sizeof acked), ec); // expect: errorshield-unchecked-read
  return acked;
}

std::optional<std::uint32_t> read_legacy_ack_checked(tcp::socket& sock) {
  std::uint32_t acked = 0;
  beast::error_code ec;
  const std::size_t n = asio::read(sock, asio::buffer(&acked, sizeof acked), ec);
  if (ec || n != sizeof acked) return std::nullopt;  // eof included
  return acked;
}

class BatchUploader : public std::enable_shared_from_this<BatchUploader> {
 public:
  BatchUploader(asio::any_io_executor ex, ssl::context& ctx, UploaderConfig cfg)
      : stream_(ex, ctx), cfg_(std::move(cfg)) {}

  void send(json batch) {
    req_ = {http::verb::post, cfg_.target, 11};
    req_.set(http::field::host, cfg_.collector_host);
    req_.set(http::field::content_type, "application/json");
    req_.body() = batch.dump();
    req_.prepare_payload();
    http::async_write(stream_, req_, beast::bind_front_handler(&BatchUploader::on_write, shared_from_this()));
  }

 private:
  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return report(ec, "write");
    if (fire_and_forget_) {
      http::async_read(stream_, buf_, res_, [self = shared_from_this()](beast::error_code, std::size_t) { // expect: errorshield-unchecked-read
        self->on_acked(self->res_.body());
      });
      return;
    }
    http::async_read(stream_, buf_, res_, beast::bind_front_handler(&BatchUploader::on_read, shared_from_this()));
  }

  // Error of the async_read above is checked here.
  void on_read(beast::error_code ec, std::size_t bytes) {
    if (ec) return report(ec, "read");
    TEL_LOG("collector replied %u (%zu bytes)", static_cast<unsigned>(res_.result_int()), bytes);
    on_acked(res_.body());
  }

  void on_acked(const std::string& body) {
    auto j = json::parse(body, nullptr, false);
    if (!j.is_discarded()) TEL_LOG("acked=%d", j.value("acked", 0));
  }

  void report(beast::error_code ec, const char* what) { TEL_LOG("%s: %s", what, ec.message().c_str()); }

  beast::ssl_stream<beast::tcp_stream> stream_;
  UploaderConfig cfg_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  bool fire_and_forget_ = false;
};

// Health probe: the throwing overload reports failures as exceptions.
bool probe_collector(beast::ssl_stream<beast::tcp_stream>& s, const UploaderConfig& cfg) {
  try {
    http::request<http::empty_body> req{http::verb::get, "/healthz", 11};
    req.set(http::field::host, cfg.collector_host);
    http::write(s, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(s, buf, res);
    return res.result() == http::status::ok;
  } catch (const beast::system_error& e) {
    TEL_LOG("probe failed: %s", e.code().message().c_str());
    return false;
  }
}

}  // namespace telemetry

int main() {
  telemetry::SpoolReader r("/var/spool/telemetry/0001.bin");
  auto recs = r.load();
  TEL_LOG("loaded %zu records", recs.size());
  return 0;
}
