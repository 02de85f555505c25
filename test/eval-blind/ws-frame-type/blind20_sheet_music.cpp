// checks: errorshield-ws-frame-type
// Collaborative score editor: clients exchange edit operations as JSON,
// the server pushes rendered page previews (PNG) and MIDI for playback.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

struct Note {
  int measure = 0;
  int beat = 0;
  std::string pitch;
  int duration = 4;
};

struct Score {
  std::string title;
  std::vector<Note> notes;
  std::uint64_t revision = 0;
};

void to_json(json &j, Note const &n) {
  j = json{{"measure", n.measure}, {"beat", n.beat}, {"pitch", n.pitch}, {"duration", n.duration}};
}
void from_json(json const &j, Note &n) {
  j.at("measure").get_to(n.measure);
  j.at("beat").get_to(n.beat);
  j.at("pitch").get_to(n.pitch);
  j.at("duration").get_to(n.duration);
}

// Rendering / synthesis happen elsewhere; these are stand-ins for the engraver.
std::vector<std::uint8_t> render_page_png(Score const &s, int page) {
  return std::vector<std::uint8_t>(1024 + page + s.notes.size(), 0x89);
}
std::vector<std::uint8_t> render_midi(Score const &s) {
  return std::vector<std::uint8_t>{'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1, 0, static_cast<std::uint8_t>(s.notes.size())};
}

class EditorSession : public std::enable_shared_from_this<EditorSession> {
public:
  EditorSession(tcp::socket s, Score &score, std::mutex &mu) : ws_(std::move(s)), score_(score), mu_(mu) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->do_read();
    });
  }

  void send_op(json const &op) {
    auto text = std::make_shared<std::string>(op.dump());
    ws_.text(true);
    ws_.async_write(net::buffer(*text), [self = shared_from_this(), text](beast::error_code, std::size_t) {});
  }

  void send_page_preview(int page) {
    std::vector<std::uint8_t> png;
    {
      std::lock_guard lk(mu_);
      png = render_page_png(score_, page);
    }
    auto data = std::make_shared<std::vector<std::uint8_t>>(std::move(png));
    ws_.binary(true);
    ws_.async_write(net::buffer(*data), [self = shared_from_this(), data](beast::error_code, std::size_t) {});
  }

  void send_playback() {
    std::shared_ptr<std::vector<std::uint8_t>> midi;
    {
      std::lock_guard lk(mu_);
      midi = std::make_shared<std::vector<std::uint8_t>>(render_midi(score_));
    }
    ws_.async_write(net::buffer(*midi), [self = shared_from_this(), midi](beast::error_code, std::size_t) {}); // expect: errorshield-ws-frame-type
  }

private:
  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->on_message();
      self->do_read();
    });
  }

  void on_message() {
    if (!ws_.got_text()) {
      std::cerr << "editor: ignoring binary frame\n";
      buf_.consume(buf_.size());
      return;
    }
    auto op = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (op.is_discarded())
      return;
    if (op.value("type", "") == "insert") {
      std::lock_guard lk(mu_);
      score_.notes.push_back(op.at("note").get<Note>());
      ++score_.revision;
    } else if (op.value("type", "") == "preview") {
      send_page_preview(op.value("page", 1));
    } else if (op.value("type", "") == "play") {
      send_playback();
    }
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  Score &score_;
  std::mutex &mu_;
};

// MusicXML import: the client sends the document, we answer with a summary.
net::awaitable<void> import_session(websocket::stream<beast::tcp_stream> ws, Score &score, std::mutex &mu) {
  ws.read_message_max(4 * 1024 * 1024);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable);
  auto doc = json::parse(beast::buffers_to_string(buf.data())); // expect: errorshield-ws-frame-type
  {
    std::lock_guard lk(mu);
    score.title = doc.value("title", "Untitled");
    for (auto const &n : doc.value("notes", json::array()))
      score.notes.push_back(n.get<Note>());
  }
  ws.text(true);
  co_await ws.async_write(net::buffer(json{{"imported", score.notes.size()}}.dump()), net::use_awaitable);
}

// Compact export for the mobile app, which decodes CBOR.
net::awaitable<void> export_cbor(websocket::stream<beast::tcp_stream> &ws, Score const &score) {
  json j{{"title", score.title}, {"revision", score.revision}, {"notes", score.notes}};
  std::vector<std::uint8_t> cbor = json::to_cbor(j);
  ws.text(true);
  co_await ws.async_write(net::buffer(cbor), net::use_awaitable); // expect: errorshield-ws-frame-type
}

// Same export for the desktop client, which also uses CBOR but flags it properly.
net::awaitable<void> export_cbor_desktop(websocket::stream<beast::tcp_stream> &ws, Score const &score) {
  json j{{"title", score.title}, {"revision", score.revision}, {"notes", score.notes}};
  std::vector<std::uint8_t> cbor = json::to_cbor(j);
  ws.binary(true);
  co_await ws.async_write(net::buffer(cbor), net::use_awaitable);
}

// Thumbnail strip shown in the score browser (synchronous maintenance tool).
void push_thumbnail_strip(websocket::stream<tcp::socket> &ws, Score const &score, int pages) {
  for (int p = 1; p <= pages; ++p) {
    std::vector<std::uint8_t> png = render_page_png(score, p);
    ws.text(true);
    ws.write(net::buffer(png)); // expect: errorshield-ws-frame-type
  }
}

// Cursor presence: either JSON, or a packed msgpack blob from newer clients.
template <class Ws>
json decode_presence(Ws &ws, beast::flat_buffer &buf) {
  json out;
  if (ws.got_binary()) {
    auto const *p = static_cast<std::uint8_t const *>(buf.data().data());
    out = json::from_msgpack(std::vector<std::uint8_t>(p, p + buf.size()), true, false);
  } else {
    out = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  }
  buf.consume(buf.size());
  return out;
}

// Chat sidebar; older code path kept for the legacy web client.
template <class Ws>
std::string read_chat_line(Ws &ws, beast::flat_buffer &buf) {
  ws.read(buf);
  auto msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false); // expect: errorshield-ws-frame-type
  buf.consume(buf.size());
  return msg.is_object() ? msg.value("text", std::string{}) : std::string{};
}

void chat_room(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(4096);
  ws.accept();
  beast::flat_buffer buf;
  for (;;) {
    std::string line = read_chat_line(ws, buf);
    if (line.empty())
      break;
    ws.text(true);
    ws.write(net::buffer(json{{"echo", line}}.dump()));
  }
}

net::awaitable<void> presence_loop(websocket::stream<beast::tcp_stream> ws) {
  ws.read_message_max(16 * 1024);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    json p = decode_presence(ws, buf);
    if (p.is_object())
      std::cout << "cursor " << p.value("user", "?") << " at m" << p.value("measure", 0) << "\n";
  }
}

int main() {
  net::io_context ioc;
  Score score{"Nocturne", {}, 0};
  std::mutex mu;
  tcp::acceptor acc(ioc, {tcp::v4(), 8090});
  acc.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<EditorSession>(std::move(s), score, mu)->start();
  });
  ioc.run();
}
