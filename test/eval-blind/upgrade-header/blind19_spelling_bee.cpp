// checks: errorshield-upgrade-header
// Buzzer system for a regional spelling bee. Buzzer pods on stage hold a secure
// WebSocket to the hub; judges use an HTTPS console to start rounds and record
// verdicts; results go to the hall scoreboard (LAN, plain HTTP) and to the
// national results service (HTTPS).
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using asio::awaitable;
using asio::use_awaitable;
using namespace std::chrono_literals;

struct Verdict {
  std::string speller;
  std::string word;
  bool correct = false;
  int round = 0;
};

struct RoundResult {
  int round = 0;
  std::vector<Verdict> verdicts;
};

static json to_json_body(const Verdict& v) {
  return {{"speller", v.speller}, {"word", v.word}, {"correct", v.correct}, {"round", v.round}};
}

// ---- scoreboard uplinks -------------------------------------------------------

class ScoreboardUplink {
 public:
  virtual ~ScoreboardUplink() = default;
  virtual void decorate(http::request<http::string_body>& req) = 0;
  virtual void publish(const Verdict& v) = 0;
};

// Hall scoreboard on the venue LAN, cleartext; it speaks h2c after the upgrade.
class HallScoreboard : public ScoreboardUplink {
 public:
  HallScoreboard(asio::io_context& ioc, tcp::endpoint ep) : stream_(ioc) { stream_.connect(ep); }

  void decorate(http::request<http::string_body>& req) override {
    req.set(http::field::host, "scoreboard.hall");
    req.set(http::field::connection, "Upgrade, HTTP2-Settings");
    req.set(http::field::upgrade, "h2c");
    req.set(http::field::http2_settings, "AAMAAABkAARAAAAA");
  }

  void publish(const Verdict& v) override {
    http::request<http::string_body> req{http::verb::post, "/board/verdict", 11};
    decorate(req);
    req.body() = to_json_body(v).dump();
    req.prepare_payload();
    http::write(stream_, req);
  }

 private:
  beast::tcp_stream stream_;
};

// National results service over the internet.
class NationalResults : public ScoreboardUplink {
 public:
  NationalResults(asio::io_context& ioc, ssl::context& ctx) : stream_(ioc, ctx) {}

  void connect(const tcp::resolver::results_type& eps) {
    SSL_set_tlsext_host_name(stream_.native_handle(), "results.spellingbee.example");
    asio::connect(stream_.lowest_layer(), eps);
    stream_.handshake(ssl::stream_base::client);
  }

  void decorate(http::request<http::string_body>& req) override {
    req.set(http::field::host, "results.spellingbee.example");
    req.set(http::field::authorization, "Bearer " + token_);
    req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  }

  void publish(const Verdict& v) override {
    http::request<http::string_body> req{http::verb::post, "/api/v1/verdicts", 11};
    decorate(req);
    req.set(http::field::content_type, "application/json");
    req.body() = to_json_body(v).dump();
    req.prepare_payload();
    std::lock_guard lk(mu_);
    http::write(stream_, req);
  }

  // Bulk upload at the end of a round.
  awaitable<void> push_round_results(RoundResult r) {
    http::request<http::string_body> req{http::verb::put, "/api/v1/rounds/" + std::to_string(r.round), 11};
    req.set(http::field::host, "results.spellingbee.example");
    req.set(http::field::authorization, "Bearer " + token_);
    req.insert("Upgrade", "h2c"); // expect: errorshield-upgrade-header
    json arr = json::array();
    for (auto& v : r.verdicts) arr.push_back(to_json_body(v));
    req.body() = arr.dump();
    req.prepare_payload();
    co_await http::async_write(stream_, req, use_awaitable);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    co_await http::async_read(stream_, buf, res, use_awaitable);
  }

  // Retries are queued and flushed in order after a reconnect.
  struct PendingPush {
    http::request<http::string_body> req;
    int attempts = 0;
  };

  void queue_retry(std::uint64_t id, const Verdict& v) {
    PendingPush* p = &pending_[id];
    p->req = {http::verb::post, "/api/v1/verdicts", 11};
    p->req.set(http::field::host, "results.spellingbee.example");
    p->req.set("HTTP2-Settings", settings_b64_); // expect: errorshield-upgrade-header
    p->req.body() = to_json_body(v).dump();
    p->req.prepare_payload();
    ++p->attempts;
  }

  void flush_retries() {
    for (auto& [id, p] : pending_) {
      p.req.set(http::field::connection, "keep-alive");
      http::write(stream_, p.req);
    }
    pending_.clear();
  }

 private:
  ssl::stream<tcp::socket> stream_;
  std::mutex mu_;
  std::string token_ = "from-vault";
  std::string settings_b64_ = "AAMAAABkAARAAAAA";
  std::map<std::uint64_t, PendingPush> pending_;
};

// ---- judge console (HTTPS) ----------------------------------------------------

template <class Next>
void write_verdict_ack(ssl::stream<Next>& s, const Verdict& v, unsigned version) {
  const std::string proto = "h2c";
  http::response<http::string_body> res{http::status::ok, version};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::upgrade, proto); // expect: errorshield-upgrade-header
  res.body() = json{{"ack", true}, {"speller", v.speller}}.dump();
  res.prepare_payload();
  http::write(s, res);
}

using Boards = std::vector<std::shared_ptr<ScoreboardUplink>>;

awaitable<void> judge_session(ssl::stream<tcp::socket> s, Boards boards) {
  co_await s.async_handshake(ssl::stream_base::server, use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    co_await http::async_read(s, buf, req, use_awaitable);

    if (beast::iequals(req[http::field::upgrade], "h2c")) {
      // Old console builds still send the cleartext upgrade request.
      http::response<http::empty_body> sw{http::status::switching_protocols, req.version()};
      sw.set(http::field::connection, "Upgrade");
      sw.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
      co_await http::async_write(s, sw, use_awaitable);
      co_return;
    }

    if (req.target() == "/verdict" && req.method() == http::verb::post) {
      auto body = json::parse(req.body(), nullptr, false);
      if (body.is_discarded()) continue;
      Verdict v{body.value("speller", ""), body.value("word", ""), body.value("correct", false),
                body.value("round", 0)};
      for (auto& b : boards) b->publish(v);
      write_verdict_ack(s, v, req.version());
      continue;
    }

    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::server, "bee-hub");
    res.erase(http::field::upgrade);
    if (req.target() == "/buzzers") {
      // Buzzer pods must use the WebSocket endpoint.
      res.result(http::status::upgrade_required);
      res.set(http::field::connection, "Upgrade");
      res.set(http::field::upgrade, "websocket");
    } else if (req.count(http::field::http2_settings) != 0) {
      res.result(http::status::bad_request);
      res.set(http::field::alt_svc, "h2=\":443\"");
    } else {
      res.body() = R"({"status":"ready"})";
    }
    res.prepare_payload();
    co_await http::async_write(s, res, use_awaitable);
  }
}

// ---- buzzer pods (wss) ----------------------------------------------------------

awaitable<void> buzzer_session(websocket::stream<ssl::stream<tcp::socket>> ws) {
  co_await ws.next_layer().async_handshake(ssl::stream_base::server, use_awaitable);
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::server, "bee-hub-buzzers");
  }));
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    auto ev = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (ev.is_discarded()) continue;
    std::cout << "buzz from pod " << ev.value("pod", -1) << "\n";
  }
}

awaitable<void> accept_loop(tcp::acceptor acc, ssl::context& ctx, Boards boards, bool buzzers) {
  auto ex = co_await asio::this_coro::executor;
  for (;;) {
    tcp::socket sock = co_await acc.async_accept(use_awaitable);
    if (buzzers) {
      asio::co_spawn(ex, buzzer_session(websocket::stream<ssl::stream<tcp::socket>>(std::move(sock), ctx)),
                     asio::detached);
    } else {
      asio::co_spawn(ex, judge_session(ssl::stream<tcp::socket>(std::move(sock), ctx), boards), asio::detached);
    }
  }
}

int main() {
  asio::io_context ioc;
  ssl::context server_ctx(ssl::context::tls_server);
  server_ctx.use_certificate_chain_file("/etc/bee-hub/fullchain.pem");
  server_ctx.use_private_key_file("/etc/bee-hub/privkey.pem", ssl::context::pem);

  ssl::context client_ctx(ssl::context::tls_client);
  client_ctx.set_default_verify_paths();
  client_ctx.set_verify_mode(ssl::verify_peer);

  tcp::resolver resolver(ioc);
  auto national = std::make_shared<NationalResults>(ioc, client_ctx);
  national->connect(resolver.resolve("results.spellingbee.example", "443"));
  auto hall = std::make_shared<HallScoreboard>(ioc, tcp::endpoint(asio::ip::make_address("192.168.50.20"), 8080));

  asio::co_spawn(ioc, accept_loop(tcp::acceptor(ioc, {tcp::v4(), 443}), server_ctx, Boards{national, hall}, false), asio::detached);
  asio::co_spawn(ioc, accept_loop(tcp::acceptor(ioc, {tcp::v4(), 7443}), server_ctx, Boards{}, true), asio::detached);
  asio::co_spawn(ioc, national->push_round_results(RoundResult{1, {}}), asio::detached);
  ioc.run();
}
