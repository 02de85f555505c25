// checks: errorshield-ws-frame-type
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace scanfloor {

struct ScanEvent {
  std::string scanner_id;
  std::string symbology;
  std::string code;
  std::int64_t ts_ms = 0;
};

inline void from_json(const json& j, ScanEvent& e) {
  j.at("scanner").get_to(e.scanner_id);
  j.at("sym").get_to(e.symbology);
  j.at("code").get_to(e.code);
  e.ts_ms = j.value("ts", std::int64_t{0});
}

class Catalog {
 public:
  virtual ~Catalog() = default;
  virtual std::optional<json> lookup(const std::string& gtin) = 0;
  virtual std::vector<std::uint8_t> product_image(const std::string& gtin) = 0;
};

// ZPL II for the shelf-edge printers attached to the scanner cradles.
inline std::string render_shelf_label(const json& product) {
  std::string zpl = "^XA^CF0,40^FO30,30^FD" + product.value("name", std::string()) + "^FS";
  zpl += "^BY2^FO30,90^BCN,80,Y,N,N^FD" + product.value("gtin", std::string()) + "^FS^XZ";
  return zpl;
}

inline std::string base64(const std::uint8_t* p, std::size_t n) {
  static constexpr char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  for (std::size_t i = 0; i < n; i += 3) {
    std::uint32_t v = std::uint32_t(p[i]) << 16;
    if (i + 1 < n) v |= std::uint32_t(p[i + 1]) << 8;
    if (i + 2 < n) v |= p[i + 2];
    out += tbl[(v >> 18) & 63];
    out += tbl[(v >> 12) & 63];
    out += i + 1 < n ? tbl[(v >> 6) & 63] : '=';
    out += i + 2 < n ? tbl[v & 63] : '=';
  }
  return out;
}

// ---------------------------------------------------------------------------
// Supervisor dashboards: synchronous links, written from the worker pool.

struct SupervisorLink {
  websocket::stream<tcp::socket> ws;
  std::mutex mu;
  bool wants_inline_images = false;
  explicit SupervisorLink(tcp::socket s) : ws(std::move(s)) {}
};

class SupervisorHub {
 public:
  void attach(std::shared_ptr<SupervisorLink> link) {
    std::lock_guard lock(mu_);
    links_.push_back(std::move(link));
  }

  // Photo of an unreadable barcode taken by the scanner's camera.
  void relay_image(const std::string& scanner, const std::vector<std::uint8_t>& jpeg) {
    for (auto& l : snapshot()) {
      std::lock_guard lock(l->mu);
      if (l->wants_inline_images) {
        const std::string body =
            json{{"type", "no_read"}, {"scanner", scanner}, {"jpeg_b64", base64(jpeg.data(), jpeg.size())}}.dump();
        l->ws.text(true);
        l->ws.write(net::buffer(body));
      } else {
        l->ws.binary(true);
        l->ws.write(net::buffer(jpeg));
      }
    }
  }

  void broadcast_price_change(const std::string& gtin, std::int64_t cents) {
    const std::string body = json{{"type", "price"}, {"gtin", gtin}, {"cents", cents}}.dump();
    for (auto& l : snapshot()) {
      std::lock_guard lock(l->mu);
      l->ws.binary(true);
      l->ws.write(net::buffer(body)); // expect: errorshield-ws-frame-type
    }
  }

  // Pass a scanner frame through unchanged (debug mirror).
  void mirror(SupervisorLink& l, net::const_buffer frame, bool was_text) {
    std::lock_guard lock(l.mu);
    l.ws.text(was_text);
    l.ws.write(frame);
  }

  std::vector<std::shared_ptr<SupervisorLink>> snapshot() {
    std::lock_guard lock(mu_);
    return links_;
  }

 private:
  std::mutex mu_;
  std::vector<std::shared_ptr<SupervisorLink>> links_;
};

// ---------------------------------------------------------------------------
// Handheld scanner session. Scanners send JSON scan events as text and, for
// no-reads, a JPEG of the symbol as a binary frame.

class ScannerSession : public std::enable_shared_from_this<ScannerSession> {
 public:
  ScannerSession(tcp::socket s, Catalog& catalog, SupervisorHub& hub)
      : ws_(std::move(s)), catalog_(catalog), hub_(hub) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(4 * 1024 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&ScannerSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    if (ws_.got_binary()) {
      const auto* p = static_cast<const std::uint8_t*>(buffer_.data().data());
      hub_.relay_image(scanner_id_, std::vector<std::uint8_t>(p, p + buffer_.size()));
      enqueue(json{{"type", "no_read_ack"}}.dump());
    } else {
      handle_text(beast::buffers_to_string(buffer_.data()));
    }
    buffer_.consume(buffer_.size());
    do_read();
  }

  void handle_text(const std::string& text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) return;
    if (j.value("type", std::string()) == "image") {
      // product photo for the scanner's screen, shown next to the price
      const auto img = catalog_.product_image(j.value("gtin", std::string()));
      enqueue(std::string(img.begin(), img.end()));
      return;
    }
    const ScanEvent ev = j.get<ScanEvent>();
    scanner_id_ = ev.scanner_id;
    auto product = catalog_.lookup(ev.code);
    json reply = {{"type", "scan_result"}, {"code", ev.code}, {"found", product.has_value()}};
    if (product) reply["product"] = *product;
    enqueue(reply.dump());
  }

  void enqueue(std::string msg) {
    queue_.push_back(std::move(msg));
    if (queue_.size() == 1) do_write();
  }

  void do_write() {
    ws_.async_write(net::buffer(queue_.front()), beast::bind_front_handler(&ScannerSession::on_write, shared_from_this())); // expect: errorshield-ws-frame-type
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    queue_.pop_front();
    if (!queue_.empty()) do_write();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  Catalog& catalog_;
  SupervisorHub& hub_;
  std::string scanner_id_;
  std::deque<std::string> queue_;
};

// ---------------------------------------------------------------------------
// Management port of a charging cradle (firmware, shelf-label printing).

class CradleLink {
 public:
  explicit CradleLink(net::io_context& ioc) : resolver_(ioc), ws_(ioc) {}

  void connect(const std::string& host, const std::string& port) {
    net::connect(ws_.next_layer(), resolver_.resolve(host, port));
    ws_.handshake(host, "/mgmt");
  }

  void send_manifest(const std::string& version, std::size_t size) {
    const std::string body = json{{"op", "fw_begin"}, {"version", version}, {"size", size}}.dump();
    ws_.text(true);
    ws_.write(net::buffer(body));
  }

  void push_firmware(const std::string& path, const std::string& version) {
    std::ifstream in(path, std::ios::binary);
    std::vector<std::uint8_t> image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    send_manifest(version, image.size());
    constexpr std::size_t kChunk = 16 * 1024;
    for (std::size_t off = 0; off < image.size(); off += kChunk) {
      const std::size_t n = std::min(kChunk, image.size() - off);
      ws_.text(true);
      ws_.write(net::buffer(image.data() + off, n)); // expect: errorshield-ws-frame-type
    }
  }

  void print_label(const json& product) {
    const std::string zpl = render_shelf_label(product);
    ws_.text(true);
    ws_.write(net::buffer(zpl));
  }

  // GRF bitmap (store logo) downloaded once to printer memory.
  void store_logo(const std::vector<std::uint8_t>& grf) {
    ws_.binary(true);
    ws_.write(net::buffer(grf));
  }

 private:
  tcp::resolver resolver_;
  websocket::stream<tcp::socket> ws_;
};

// ---------------------------------------------------------------------------
// Stock deltas are batched and flushed to the store-server links every few
// seconds by the scheduler thread.

class InventorySync {
 public:
  explicit InventorySync(std::shared_ptr<SupervisorLink> upstream) : upstream_(std::move(upstream)) {}

  void record(const std::string& gtin, int delta) {
    json d = {{"gtin", gtin}, {"delta", delta}};
    std::lock_guard lock(mu_);
    pending_.push_back([link = upstream_, d] {
      const std::vector<std::uint8_t> packed = json::to_cbor(d);
      std::lock_guard l(link->mu);
      link->ws.text(true);
      link->ws.write(net::buffer(packed)); // expect: errorshield-ws-frame-type
    });
  }

  void request_full_resync(const std::string& store) {
    std::lock_guard lock(mu_);
    pending_.push_back([link = upstream_, store] {
      const std::string body = json{{"op", "resync"}, {"store", store}}.dump();
      std::lock_guard l(link->mu);
      link->ws.text(true);
      link->ws.write(net::buffer(body));
    });
  }

  void flush() {
    std::vector<std::function<void()>> batch;
    {
      std::lock_guard lock(mu_);
      batch.swap(pending_);
    }
    for (auto& job : batch) job();
  }

 private:
  std::shared_ptr<SupervisorLink> upstream_;
  std::mutex mu_;
  std::vector<std::function<void()>> pending_;
};

}  // namespace scanfloor
