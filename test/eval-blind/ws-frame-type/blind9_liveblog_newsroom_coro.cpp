// checks: errorshield-ws-frame-type
// Newsroom live blog: editors post entries and photos, readers receive them in
// real time and can send reactions. A wire-agency feed is relayed in as well.
// C++20 coroutines; session code is templated on the transport so the same
// code serves the TLS public port and the plain port behind the CDN.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using asio::use_awaitable;

struct blog_entry {
  std::uint64_t id = 0;
  std::string headline, body, author;
  std::shared_ptr<const std::vector<std::uint8_t>> photo;  // optional JPEG
};

struct newsroom {
  std::vector<blog_entry> entries;
  std::vector<std::string> reactions;
};

// Helpers that set the frame type for every message they send.
template <class WS>
asio::awaitable<void> send_text(WS& ws, const std::string& s) {
  ws.text(true);
  co_await ws.async_write(asio::buffer(s), use_awaitable);
}

template <class WS>
asio::awaitable<void> send_binary(WS& ws, const std::vector<std::uint8_t>& b) {
  ws.binary(true);
  co_await ws.async_write(asio::buffer(b), use_awaitable);
}

json entry_json(const blog_entry& e) {
  return {{"id", e.id}, {"headline", e.headline}, {"body", e.body},
          {"author", e.author}, {"has_photo", static_cast<bool>(e.photo)}};
}

// ---------------------------------------------------------------------------
template <class NextLayer>
class reader_session : public std::enable_shared_from_this<reader_session<NextLayer>> {
public:
  template <class... Args>
  explicit reader_session(newsroom& nr, Args&&... args)
      : ws_(std::forward<Args>(args)...), nr_(nr) {}

  asio::awaitable<void> run() {
    auto self = this->shared_from_this();
    if constexpr (!std::is_same_v<NextLayer, beast::tcp_stream>)
      co_await ws_.next_layer().async_handshake(ssl::stream_base::server, use_awaitable);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(2048);
    co_await ws_.async_accept(use_awaitable);
    co_await catch_up();
    co_await reactions_loop();
  }

  // Called by the editor side for every new entry.
  asio::awaitable<void> push(const blog_entry& e) {
    if (e.photo) {
      co_await send_binary(ws_, *e.photo);
      // caption follows the photo frame
      auto caption = entry_json(e).dump();
      co_await ws_.async_write(asio::buffer(caption), use_awaitable); // expect: errorshield-ws-frame-type
      co_return;
    }
    co_await send_text(ws_, entry_json(e).dump());
  }

private:
  asio::awaitable<void> catch_up() {
    ws_.text(true);
    std::string hello = json{{"type", "hello"}, {"count", nr_.entries.size()}}.dump();
    co_await ws_.async_write(asio::buffer(hello), use_awaitable);

    // Backlog goes out in one compact MessagePack blob.
    json all = json::array();
    for (auto& e : nr_.entries) all.push_back(entry_json(e));
    std::vector<std::uint8_t> packed = json::to_msgpack(all);
    co_await ws_.async_write(asio::buffer(packed), use_awaitable); // expect: errorshield-ws-frame-type
  }

  asio::awaitable<void> reactions_loop() {
    beast::flat_buffer buf;
    for (;;) {
      auto [ec, n] = co_await ws_.async_read(buf, asio::as_tuple(use_awaitable));
      if (ec) co_return;
      const bool was_text = ws_.got_text();
      std::string payload = beast::buffers_to_string(buf.data());
      buf.consume(n);
      if (!was_text) {
        co_await ws_.async_close(websocket::close_code::unknown_data, use_awaitable);
        co_return;
      }
      auto r = json::parse(payload, nullptr, false);
      if (!r.is_discarded()) nr_.reactions.push_back(r.value("emoji", ""));
    }
  }

  websocket::stream<NextLayer> ws_;
  newsroom& nr_;
};

// ---------------------------------------------------------------------------
// Editor console: JSON entry metadata, optionally followed by a photo frame.
asio::awaitable<void> editor_session(newsroom& nr, tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(8 * 1024 * 1024);
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, asio::as_tuple(use_awaitable));
    if (ec) co_return;
    auto meta = json::parse(beast::buffers_to_string(buf.data()), nullptr, false); // expect: errorshield-ws-frame-type
    buf.consume(n);
    if (meta.is_discarded()) continue;

    blog_entry e{nr.entries.size() + 1, meta.value("headline", ""), meta.value("body", ""),
                 meta.value("author", "desk")};
    if (meta.value("photo", false)) {
      auto [ec2, m] = co_await ws.async_read(buf, asio::as_tuple(use_awaitable));
      if (ec2) co_return;
      if (ws.got_binary()) {
        auto* p = static_cast<const std::uint8_t*>(buf.data().data());
        e.photo = std::make_shared<const std::vector<std::uint8_t>>(p, p + m);
      }
      buf.consume(m);
    }
    nr.entries.push_back(std::move(e));
    co_await send_text(ws, json{{"type", "published"}, {"id", nr.entries.back().id}}.dump());
  }
}

// ---------------------------------------------------------------------------
// Wire agency relay: we are the client. The agency sends MessagePack in binary
// frames and heartbeat strings in text frames. Status goes back to the local
// desk monitor connection.
asio::awaitable<void> agency_relay(newsroom& nr, websocket::stream<beast::tcp_stream>& upstream,
                                   websocket::stream<beast::tcp_stream>& monitor) {
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await upstream.async_read(buf, asio::as_tuple(use_awaitable));
    if (ec) co_return;
    if (upstream.got_binary()) {
      auto* p = static_cast<const std::uint8_t*>(buf.data().data());
      auto story = json::from_msgpack(p, p + n, true, false);
      if (!story.is_discarded())
        nr.entries.push_back({nr.entries.size() + 1, story.value("slug", ""),
                              story.value("text", ""), "agency", nullptr});
    } else if (monitor.got_text()) {
      // heartbeat / status line from the agency
      auto status = json::parse(beast::buffers_to_string(buf.data()), nullptr, false); // expect: errorshield-ws-frame-type
      if (!status.is_discarded())
        co_await send_text(monitor, json{{"agency", status.value("state", "?")}}.dump());
    }
    buf.consume(n);
  }
}

asio::awaitable<void> accept_readers_tls(newsroom& nr, ssl::context& ctx) {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acc(ex, {tcp::v4(), 443});
  for (;;) {
    auto s = co_await acc.async_accept(use_awaitable);
    auto r = std::make_shared<reader_session<beast::ssl_stream<beast::tcp_stream>>>(nr, std::move(s), ctx);
    asio::co_spawn(ex, r->run(), asio::detached);
  }
}

asio::awaitable<void> accept_readers_plain(newsroom& nr) {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acc(ex, {asio::ip::make_address("10.20.0.4"), 8080});
  for (;;) {
    auto s = co_await acc.async_accept(use_awaitable);
    auto r = std::make_shared<reader_session<beast::tcp_stream>>(nr, std::move(s));
    asio::co_spawn(ex, r->run(), asio::detached);
  }
}

int main() {
  asio::io_context ioc;
  ssl::context ctx(ssl::context::tls_server);
  ctx.use_certificate_chain_file("/etc/liveblog/fullchain.pem");
  ctx.use_private_key_file("/etc/liveblog/key.pem", ssl::context::pem);
  newsroom nr;

  asio::co_spawn(ioc, accept_readers_tls(nr, ctx), asio::detached);
  asio::co_spawn(ioc, accept_readers_plain(nr), asio::detached);
  asio::co_spawn(ioc, [&nr]() -> asio::awaitable<void> {
    tcp::acceptor acc(co_await asio::this_coro::executor, {asio::ip::make_address("127.0.0.1"), 9000});
    for (;;) {
      auto s = co_await acc.async_accept(use_awaitable);
      asio::co_spawn(acc.get_executor(), editor_session(nr, std::move(s)), asio::detached);
    }
  }, asio::detached);
  ioc.run();
}
