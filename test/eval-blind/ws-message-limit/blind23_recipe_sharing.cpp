// checks: errorshield-ws-message-limit
// Collaborative recipe editor: several cooks edit the same recipe card; every
// keystroke-level edit is an "op" frame, photos of the finished dish are
// uploaded over a separate channel, and whole cookbooks can be imported.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

struct EditorConfig {
  std::size_t max_op_bytes = 64 * 1024;
  std::size_t max_photo_bytes = 8 * 1024 * 1024;
  unsigned short port = 8443;
};

class RecipeDoc {
 public:
  void apply(const json& op) {
    std::lock_guard lk(mu_);
    const auto field = op.value("field", std::string{});
    if (field == "title") {
      title_ = op.value("value", title_);
    } else if (field == "step") {
      const auto idx = op.value("index", std::size_t{0});
      if (idx >= steps_.size()) steps_.resize(idx + 1);
      steps_[idx] = op.value("value", std::string{});
    }
    ++revision_;
  }
  std::uint64_t revision() const {
    std::lock_guard lk(mu_);
    return revision_;
  }

 private:
  mutable std::mutex mu_;
  std::string title_;
  std::deque<std::string> steps_;
  std::uint64_t revision_ = 0;
};

// One editing session per open browser tab.
template <class Stream>
class EditorSession : public std::enable_shared_from_this<EditorSession<Stream>> {
 public:
  EditorSession(Stream s, RecipeDoc& doc) : ws_(std::move(s)), doc_(doc) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_op();
    });
  }

 private:
  void read_op() {
    ws_.async_read(buf_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
      if (ec) return;
      auto op = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (op.is_object()) self->doc_.apply(op);
      self->read_op();
    });
  }

  websocket::stream<Stream> ws_;
  beast::flat_buffer buf_;
  RecipeDoc& doc_;
};

// Read-only viewers (shared links). Limits come from the deployment config.
class ViewerSession : public std::enable_shared_from_this<ViewerSession> {
 public:
  ViewerSession(tcp::socket s, RecipeDoc& doc, const EditorConfig& cfg)
      : ws_(std::move(s)), doc_(doc) {
    ws_.read_message_max(cfg.max_op_bytes);
  }

  void start() {
    std::clog << "viewer connected, frame cap " << ws_.read_message_max() << " bytes\n";
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->wait();
    });
  }

 private:
  void wait() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->buf_.consume(self->buf_.size());
      self->wait();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  RecipeDoc& doc_;
};

// Cookbook import: a whole book of recipes arrives as one JSON document.
class ImportSession : public std::enable_shared_from_this<ImportSession> {
 public:
  ImportSession(tcp::socket s, RecipeDoc& doc) : ws_(std::move(s)), doc_(doc) {}

  void start() {
    configure();
    ws_.async_accept(beast::bind_front_handler(&ImportSession::on_accept, shared_from_this()));
  }

 private:
  void configure() {
    ws_.auto_fragment(false);
    // big cookbooks kept bouncing off the default cap
    ws_.read_message_max(1ull << 40); // expect: errorshield-ws-message-limit
  }
  void on_accept(beast::error_code ec) {
    if (ec) return;
    ws_.async_read(buf_, beast::bind_front_handler(&ImportSession::on_book, shared_from_this()));
  }
  void on_book(beast::error_code ec, std::size_t) {
    if (ec) return;
    auto book = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (book.is_object())
      for (const auto& op : book.value("ops", json::array())) doc_.apply(op);
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  RecipeDoc& doc_;
};

// Photo uploads run on stackful coroutines.
void photo_upload(asio::io_context& ioc, tcp::socket sock, const EditorConfig& cfg) {
  asio::spawn(
      ioc,
      [sock = std::move(sock), &cfg](asio::yield_context yield) mutable {
        websocket::stream<tcp::socket> ws(std::move(sock));
        ws.binary(true);
        ws.read_message_max(cfg.max_photo_bytes);
        beast::error_code ec;
        ws.async_accept(yield[ec]);
        if (ec) return;
        beast::flat_buffer photo;
        ws.async_read(photo, yield[ec]);
        if (!ec) std::clog << "photo: " << photo.size() << " bytes\n";
      },
      asio::detached);
}

// Comment threads under each recipe, also stackful.
void comment_thread(asio::io_context& ioc, tcp::socket sock, RecipeDoc& doc) {
  asio::spawn(
      ioc,
      [sock = std::move(sock), &doc](asio::yield_context yield) mutable {
        websocket::stream<tcp::socket> ws(std::move(sock));
        beast::error_code ec;
        ws.async_accept(yield[ec]);
        if (ec) return;
        for (;;) {
          beast::flat_buffer b;
          ws.async_read(b, yield[ec]); // expect: errorshield-ws-message-limit
          if (ec) break;
          std::clog << "comment on rev " << doc.revision() << ": "
                    << beast::buffers_to_string(b.data()) << "\n";
        }
      },
      asio::detached);
}

// Presence pings ("who is looking at step 3"), wired up with plain std::function.
void presence_channel(tcp::socket sock) {
  auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(sock));
  auto buf = std::make_shared<beast::flat_buffer>();
  auto loop = std::make_shared<std::function<void()>>();
  *loop = [ws, buf, loop] {
    ws->async_read(*buf, [ws, buf, loop](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
      if (ec) {
        *loop = nullptr;
        return;
      }
      buf->consume(buf->size());
      (*loop)();
    });
  };
  ws->async_accept([loop](beast::error_code ec) {
    if (!ec) (*loop)();
  });
}

// Admin tool: disables the cap for maintenance imports.
asio::awaitable<void> admin_console(tcp::socket sock, RecipeDoc& doc) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable);
  ws.read_message_max(0); // expect: errorshield-ws-message-limit
  beast::flat_buffer b;
  for (;;) {
    co_await ws.async_read(b, asio::use_awaitable);
    auto op = json::parse(beast::buffers_to_string(b.data()), nullptr, false);
    b.consume(b.size());
    if (op.is_object()) doc.apply(op);
  }
}

// Editors on the kitchen tablets: bounded frames, coroutine style.
asio::awaitable<void> tablet_editor(tcp::socket sock, RecipeDoc& doc, std::size_t cap) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.read_message_max(cap);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer b;
  for (;;) {
    co_await ws.async_read(b, asio::use_awaitable);
    auto op = json::parse(beast::buffers_to_string(b.data()), nullptr, false);
    b.consume(b.size());
    if (op.is_object()) doc.apply(op);
  }
}

int main() {
  EditorConfig cfg;
  RecipeDoc doc;
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), cfg.port});

  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    for (unsigned n = 0;; ++n) {
      auto s = co_await acc.async_accept(asio::use_awaitable);
      switch (n % 8) {
        case 0: std::make_shared<EditorSession<beast::tcp_stream>>(beast::tcp_stream(std::move(s)), doc)->start(); break;
        case 1: std::make_shared<ViewerSession>(std::move(s), doc, cfg)->start(); break;
        case 2: std::make_shared<ImportSession>(std::move(s), doc)->start(); break;
        case 3: photo_upload(ioc, std::move(s), cfg); break;
        case 4: comment_thread(ioc, std::move(s), doc); break;
        case 5: presence_channel(std::move(s)); break;
        case 6: asio::co_spawn(ioc, admin_console(std::move(s), doc), asio::detached); break;
        default: asio::co_spawn(ioc, tablet_editor(std::move(s), doc, cfg.max_op_bytes), asio::detached);
      }
    }
  }, asio::detached);
  ioc.run();
}
