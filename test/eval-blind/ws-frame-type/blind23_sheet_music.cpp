// checks: errorshield-ws-frame-type
// Page-turn sync for an orchestra: the leader's tablet sends page turns,
// every music stand follows along and fetches rendered pages (PNG) or the
// original part (PDF) from the library server.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace stands {

using Bytes = std::vector<std::uint8_t>;

Bytes load_page_png(const std::string& part, int page) {
  std::ifstream in("/var/lib/scores/" + part + "/p" + std::to_string(page) + ".png", std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

std::string load_part_pdf(const std::string& part) {
  std::ifstream in("/var/lib/scores/" + part + ".pdf", std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string to_base64(const Bytes& in) {
  static constexpr char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::uint8_t b : in) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(tbl[(acc >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(tbl[(acc << (6 - bits)) & 0x3F]);
  while (out.size() % 4) out.push_back('=');
  return out;
}

class StandSession : public std::enable_shared_from_this<StandSession> {
 public:
  explicit StandSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.read_message_max(16 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_request();
    });
  }

  // Leader turned the page: notify this stand.
  void push_page_turn(int page) {
    auto msg = std::make_shared<std::string>(json{{"type", "turn"}, {"page", page}}.dump());
    ws_.text(true);
    ws_.async_write(asio::buffer(*msg), [self = shared_from_this(), msg](beast::error_code, std::size_t) {});
  }

 private:
  void read_request() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->on_request();
    });
  }

  void on_request() {
    if (!ws_.got_text()) {
      buf_.consume(buf_.size());
      read_request();
      return;
    }
    auto req = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (req.value("type", "") == "page") {
      send_rendered_page(req.value("part", "violin1"), req.value("page", 1));
    } else if (req.value("type", "") == "thumb") {
      send_thumbnail(req.value("part", "violin1"), req.value("page", 1));
    } else {
      read_request();
    }
  }

  // Full-resolution page for the stand display.
  void send_rendered_page(const std::string& part, int page) {
    auto png = std::make_shared<Bytes>(load_page_png(part, page));
    ws_.text(true);
    ws_.async_write(asio::buffer(*png), // expect: errorshield-ws-frame-type
                    [self = shared_from_this(), png](beast::error_code ec, std::size_t) {
                      if (!ec) self->read_request();
                    });
  }

  // Small preview for the setlist screen, embedded in a JSON envelope.
  void send_thumbnail(const std::string& part, int page) {
    json env{{"type", "thumb"}, {"page", page}, {"png_b64", to_base64(load_page_png(part, page))}};
    auto msg = std::make_shared<std::string>(env.dump());
    ws_.text(true);
    ws_.async_write(asio::buffer(*msg), [self = shared_from_this(), msg](beast::error_code ec, std::size_t) {
      if (!ec) self->read_request();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Leader tablet: page turns come in, fan out to every stand.
class LeaderSession : public std::enable_shared_from_this<LeaderSession> {
 public:
  LeaderSession(tcp::socket s, std::set<std::shared_ptr<StandSession>>& stands)
      : ws_(std::move(s)), stands_(stands) {}

  void start() {
    ws_.read_message_max(4 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->next();
    });
  }

 private:
  void next() {
    ws_.async_read(buf_, beast::bind_front_handler(&LeaderSession::on_turn, shared_from_this()));
  }
  void on_turn(beast::error_code ec, std::size_t) {
    if (ec) return;
    auto turn = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false); // expect: errorshield-ws-frame-type
    buf_.consume(buf_.size());
    if (turn.is_object())
      for (auto& s : stands_) s->push_page_turn(turn.value("page", 1));
    next();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::set<std::shared_ptr<StandSession>>& stands_;
};

// Librarian download: the whole part as PDF, coroutine style.
asio::awaitable<void> part_download(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.read_message_max(4 * 1024);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer b;
  co_await ws.async_read(b, asio::use_awaitable);
  if (!ws.got_text()) co_return;
  auto req = json::parse(beast::buffers_to_string(b.data()), nullptr, false);
  if (!req.is_object()) co_return;
  const std::string pdf = load_part_pdf(req.value("part", "cello"));
  co_await ws.async_write(asio::buffer(pdf), asio::use_awaitable); // expect: errorshield-ws-frame-type
}

// Archive export used by the tour manager's laptop: PDF with the right opcode.
asio::awaitable<void> archive_export(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.read_message_max(4 * 1024);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer b;
  co_await ws.async_read(b, asio::use_awaitable);
  if (!ws.got_text()) co_return;
  auto req = json::parse(beast::buffers_to_string(b.data()), nullptr, false);
  const std::string pdf = load_part_pdf(req.value("part", "cello"));
  ws.binary(true);
  co_await ws.async_write(asio::buffer(pdf), asio::use_awaitable);
}

// Offline pre-caching over a blocking connection (rehearsal hall without Wi-Fi roaming).
template <class NextLayer>
void precache_pages(websocket::stream<NextLayer>& ws, const std::string& part, int first, int last) {
  for (int p = first; p <= last; ++p) {
    Bytes png = load_page_png(part, p);
    ws.write(asio::buffer(png.data(), png.size())); // expect: errorshield-ws-frame-type
  }
}

template <class NextLayer>
void precache_pages_v2(websocket::stream<NextLayer>& ws, const std::string& part, int first, int last) {
  ws.binary(true);
  for (int p = first; p <= last; ++p) {
    Bytes png = load_page_png(part, p);
    ws.write(asio::buffer(png.data(), png.size()));
  }
  ws.text(true);
}

// Mirror link to the backup library: relays whatever the primary sends.
void mirror_once(websocket::stream<tcp::socket>& primary, websocket::stream<tcp::socket>& backup) {
  beast::flat_buffer b;
  primary.read(b);
  backup.text(primary.got_text());
  backup.write(b.data());
}

// Annotation sync: pencil marks arrive as JSON from each stand.
void read_annotations(websocket::stream<tcp::socket>& ws, std::vector<json>& out) {
  beast::flat_buffer b;
  beast::error_code ec;
  while (!ec) {
    ws.read(b, ec);
    if (ec) break;
    json mark = json::parse(beast::buffers_to_string(b.data()), nullptr, false); // expect: errorshield-ws-frame-type
    b.consume(b.size());
    if (mark.is_object()) out.push_back(std::move(mark));
  }
}

}  // namespace stands

int main() {
  asio::io_context ioc;
  std::set<std::shared_ptr<stands::StandSession>> stands;
  tcp::acceptor stand_acc(ioc, {tcp::v4(), 7000});
  tcp::acceptor leader_acc(ioc, {tcp::v4(), 7001});

  stand_acc.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (ec) return;
    auto st = std::make_shared<stands::StandSession>(std::move(s));
    stands.insert(st);
    st->start();
  });
  leader_acc.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<stands::LeaderSession>(std::move(s), stands)->start();
  });
  tcp::acceptor lib_acc(ioc, {tcp::v4(), 7002});
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    auto a = co_await lib_acc.async_accept(asio::use_awaitable);
    co_await stands::part_download(std::move(a));
    auto b = co_await lib_acc.async_accept(asio::use_awaitable);
    co_await stands::archive_export(std::move(b));
  }, asio::detached);

  websocket::stream<tcp::socket> offline(ioc);
  stands::precache_pages(offline, "viola", 1, 12);
  stands::precache_pages_v2(offline, "viola", 13, 24);
  websocket::stream<tcp::socket> backup(ioc);
  stands::mirror_once(offline, backup);
  std::vector<json> marks;
  stands::read_annotations(offline, marks);
  ioc.run();
}
