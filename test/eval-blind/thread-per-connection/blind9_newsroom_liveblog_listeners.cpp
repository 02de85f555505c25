// checks: errorshield-thread-per-connection
// Newsroom live-blog server. Three listeners:
//   - readers: browsers subscribe to a live blog over websocket (C++20 coroutines)
//   - editors: desk staff post entries over a websocket
//   - wire:    news agencies push raw copy over TCP (stackful coroutine listener)
// plus a fixed set of io threads, a shared render pool and one archive thread.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <deque>
#include <functional>
#include <istream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

struct live_blog {
  std::mutex mu;
  std::string slug;
  std::deque<json> entries;
  std::atomic<std::uint64_t> version{0};

  void append(json entry) {
    std::lock_guard lk(mu);
    entries.push_back(std::move(entry));
    if (entries.size() > 500) entries.pop_front();
    ++version;
  }
  json latest(std::size_t n) {
    std::lock_guard lk(mu);
    json out = json::array();
    for (auto it = entries.size() > n ? entries.end() - n : entries.begin(); it != entries.end(); ++it)
      out.push_back(*it);
    return out;
  }
};

std::string render_markdown(const std::string& md);
void flush_archive(live_blog& blog);

// --------------------------------------------------------------------------
// Readers: one coroutine per browser on the shared io_context.

awaitable<void> serve_reader(tcp::socket sock, live_blog& blog) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(use_awaitable);
  std::uint64_t seen = 0;
  asio::steady_timer tick(co_await asio::this_coro::executor);
  for (;;) {
    if (blog.version != seen) {
      seen = blog.version;
      const std::string payload = blog.latest(20).dump();
      co_await ws.async_write(asio::buffer(payload), use_awaitable);
    }
    tick.expires_after(std::chrono::milliseconds(250));
    co_await tick.async_wait(use_awaitable);
  }
}

awaitable<void> reader_listener(tcp::acceptor acc, live_blog& blog) {
  for (;;) {
    tcp::socket sock = co_await acc.async_accept(use_awaitable);
    asio::co_spawn(acc.get_executor(), serve_reader(std::move(sock), blog), asio::detached);
  }
}

// --------------------------------------------------------------------------
// Editors: the desk client does a synchronous websocket session.

void serve_editor(tcp::socket sock, live_blog& blog, asio::thread_pool& render_pool) {
  beast::error_code ec;
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(ec);
  if (ec) return;
  for (;;) {
    beast::flat_buffer buf;
    ws.read(buf, ec);
    if (ec) return;
    auto md = beast::buffers_to_string(buf.data());
    // Rendering goes to the shared, fixed-size pool.
    asio::post(render_pool, [&blog, md = std::move(md)] {
      blog.append({{"html", render_markdown(md)}, {"ts", std::time(nullptr)}});
    });
  }
}

awaitable<void> editor_listener(tcp::acceptor acc, live_blog& blog, asio::thread_pool& render_pool) {
  for (;;) {
    auto sock = co_await acc.async_accept(use_awaitable);
    std::thread(serve_editor, std::move(sock), std::ref(blog), std::ref(render_pool)).detach();  // expect: errorshield-thread-per-connection
  }
}

// --------------------------------------------------------------------------
// Photo desk uploads: each uploader gets "its own executor" so a slow upload
// does not stall the others.

struct upload_conn {
  tcp::socket sock;
  std::shared_ptr<asio::thread_pool> exec;
};

void start_upload_session(tcp::socket sock, live_blog& blog) {
  auto conn = std::make_shared<upload_conn>(upload_conn{std::move(sock), nullptr});
  conn->exec = std::make_shared<asio::thread_pool>(1);  // expect: errorshield-thread-per-connection
  asio::post(*conn->exec, [conn, &blog] {
    std::vector<char> img(1 << 20);
    beast::error_code ec;
    const auto n = conn->sock.read_some(asio::buffer(img), ec);
    if (!ec) blog.append({{"photo_bytes", n}});
  });
}

void accept_uploads(tcp::acceptor& acc, live_blog& blog) {
  acc.async_accept([&acc, &blog](beast::error_code ec, tcp::socket sock) {
    if (!ec) start_upload_session(std::move(sock), blog);
    accept_uploads(acc, blog);
  });
}

// --------------------------------------------------------------------------
// Social embeds: readers of the partner widget, handed to a helper.

void pump_embed(tcp::socket s, live_blog& blog) {
  beast::error_code ec;
  std::uint64_t seen = 0;
  while (!ec) {
    if (blog.version != seen) {
      seen = blog.version;
      asio::write(s, asio::buffer(blog.latest(1).dump() + "\n"), ec);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

void start_embed_session(tcp::socket s, live_blog& blog) {
  std::thread t([s = std::move(s), &blog]() mutable { pump_embed(std::move(s), blog); });  // expect: errorshield-thread-per-connection
  t.detach();
}

void accept_embeds(tcp::acceptor& acc, live_blog& blog) {
  acc.async_accept([&acc, &blog](beast::error_code ec, tcp::socket sock) {
    if (!ec) start_embed_session(std::move(sock), blog);
    accept_embeds(acc, blog);
  });
}

// --------------------------------------------------------------------------
// Wire agencies: stackful accept loop; each agency connection gets a jthread.

void ingest_wire(tcp::socket s, live_blog& blog) {
  asio::streambuf sb;
  beast::error_code ec;
  while (asio::read_until(s, sb, '\n', ec) && !ec) {
    std::istream is(&sb);
    std::string line;
    std::getline(is, line);
    blog.append({{"wire", line}});
  }
}

void wire_listener(asio::io_context& ioc, tcp::endpoint ep, live_blog& blog,
                   std::vector<std::jthread>& ingest_threads) {
  asio::spawn(ioc, [&ioc, ep, &blog, &ingest_threads](asio::yield_context yield) {
    tcp::acceptor acc(ioc, ep);
    for (;;) {
      beast::error_code ec;
      tcp::socket s = acc.async_accept(yield[ec]);
      if (ec) continue;
      ingest_threads.emplace_back(ingest_wire, std::move(s), std::ref(blog));  // expect: errorshield-thread-per-connection
    }
  }, asio::detached);
}

// --------------------------------------------------------------------------

int main() {
  asio::io_context ioc;
  live_blog blog;
  blog.slug = "election-night";
  asio::thread_pool render_pool(2);
  std::vector<std::jthread> ingest_threads;

  asio::co_spawn(ioc, reader_listener(tcp::acceptor(ioc, {tcp::v4(), 8080}), blog), asio::detached);
  asio::co_spawn(ioc, editor_listener(tcp::acceptor(ioc, {tcp::v4(), 8081}), blog, render_pool),
                 asio::detached);
  tcp::acceptor uploads(ioc, {tcp::v4(), 8082});
  accept_uploads(uploads, blog);
  tcp::acceptor embeds(ioc, {tcp::v4(), 8083});
  accept_embeds(embeds, blog);
  wire_listener(ioc, {tcp::v4(), 8084}, blog, ingest_threads);

  // One archive thread for the whole process.
  std::atomic<bool> stop{false};
  std::thread archiver([&] {
    while (!stop) {
      flush_archive(blog);
      std::this_thread::sleep_for(std::chrono::seconds(30));
    }
  });

  // Fixed number of io threads regardless of how many clients connect.
  const unsigned n = std::max(2u, std::thread::hardware_concurrency());
  std::vector<std::thread> runners;
  runners.reserve(n);
  for (unsigned i = 0; i < n; ++i) runners.emplace_back([&ioc] { ioc.run(); });
  for (auto& t : runners) t.join();

  stop = true;
  archiver.join();
  render_pool.join();
}
