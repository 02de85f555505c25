// checks: errorshield-ws-close-code
// Crypto-exchange wallet service: authenticated clients subscribe to balance
// updates and submit withdrawal requests over WebSocket. The session is a
// template so the same code serves the internal plain listener and the public
// TLS listener. C++20 coroutines throughout.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <type_traits>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using asio::use_awaitable;

template <class T> struct is_tls : std::false_type {};
template <class T> struct is_tls<beast::ssl_stream<T>> : std::true_type {};

// Error catalogue shared with the REST API (documented in the client SDK).
namespace wallet_err {
constexpr int rate_limited = 12;
constexpr int address_not_whitelisted = 31;
constexpr int withdraw_limit = 1208;
}  // namespace wallet_err

// Application-private close codes live in 4000..4999.
constexpr std::uint16_t app_close(int catalogue_code) {
  return static_cast<std::uint16_t>(4000 + catalogue_code);
}

constexpr std::uint16_t kKycPending = 2001;        // "KYC not completed"
constexpr std::uint16_t kApiKeyRejected = 3000;    // registered: Unauthorized
constexpr std::uint16_t kLegacyFrozen = 1004;      // v1 protocol: "account frozen"

struct wallet_book {
  std::map<std::string, std::int64_t> balances_sat;   // integer satoshis
  std::map<std::string, bool> kyc_done;
  std::map<std::string, bool> frozen;
};

template <class Stream>
class wallet_session : public std::enable_shared_from_this<wallet_session<Stream>> {
public:
  template <class... Args>
  explicit wallet_session(wallet_book& book, Args&&... args)
      : ws_(std::forward<Args>(args)...), book_(book) {}

  asio::awaitable<void> run() {
    auto self = this->shared_from_this();
    bool failed = false;
    try {
      co_await handshake();
      if (closing_) co_return;
      co_await serve();
    } catch (const std::exception&) {
      failed = true;
    }
    if (failed && !closing_ && ws_.is_open())
      co_await close_with({websocket::close_code::internal_error, "unexpected failure"});
  }

private:
  asio::awaitable<void> handshake() {
    if constexpr (is_tls<Stream>::value) {
      beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(10));
      co_await ws_.next_layer().async_handshake(ssl::stream_base::server, use_awaitable);
      beast::get_lowest_layer(ws_).expires_never();
    }
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(16 * 1024);
    co_await ws_.async_accept(use_awaitable);

    if constexpr (is_tls<Stream>::value) {
      if (!client_cert_pinned()) {
        // the certificate did not match the pinned hardware key: 1015 = TLS failure
        co_await close_with(static_cast<std::uint16_t>(1015)); // expect: errorshield-ws-close-code
      }
    }
  }

  bool client_cert_pinned() {
    if constexpr (is_tls<Stream>::value) {
      return SSL_get_verify_result(ws_.next_layer().native_handle()) == X509_V_OK;
    }
    return true;
  }

  asio::awaitable<void> serve() {
    beast::flat_buffer buf;
    for (;;) {
      auto [ec, n] = co_await ws_.async_read(buf, asio::as_tuple(use_awaitable));
      if (ec == websocket::error::closed) {
        // The peer closed; 1006 here only means the TCP link dropped. Log, don't send.
        std::uint16_t seen = ws_.reason().code;
        if (seen == websocket::close_code::abnormal) ++abnormal_drops_;
        co_return;
      }
      if (ec) co_return;
      auto req = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
      buf.consume(n);
      if (req.is_discarded()) {
        co_await close_with({websocket::close_code::bad_payload, "malformed request"});
        co_return;
      }
      co_await handle(req);
      if (closing_) co_return;
    }
  }

  asio::awaitable<void> handle(const json& req) {
    const auto op = req.value("op", "");
    if (op == "auth") {
      account_ = req.value("account", "");
      if (req.value("key", "").size() != 64)
        co_return co_await close_with(kApiKeyRejected);
      if (book_.frozen[account_])
        co_return co_await close_with(kLegacyFrozen); // expect: errorshield-ws-close-code
      if (!book_.kyc_done[account_])
        co_return co_await close_with(kKycPending); // expect: errorshield-ws-close-code
      co_return;
    }
    if (op == "withdraw") {
      const std::int64_t amount_sat = req.value("amount_sat", std::int64_t{0});
      const std::int64_t balance = book_.balances_sat[account_];
      if (!req.value("whitelisted", false))
        co_return co_await close_with(app_close(wallet_err::address_not_whitelisted));
      if (amount_sat > 5'000'000'000)
        co_return co_await close_with(app_close(wallet_err::withdraw_limit)); // expect: errorshield-ws-close-code
      if (amount_sat > balance) {
        co_await reply(json{{"op", "withdraw"}, {"ok", false}, {"why", "insufficient"}});
        co_return;
      }
      book_.balances_sat[account_] = balance - amount_sat;
      co_await reply(json{{"op", "withdraw"}, {"ok", true}});
      co_return;
    }
    if (op == "burst") {
      if (++burst_ > 20)
        co_return co_await close_with(app_close(wallet_err::rate_limited));
      co_return;
    }
    if (op == "logout") {
      // Client asked to leave: an empty close frame (no status payload) is valid.
      co_return co_await close_with(websocket::close_reason{});
    }
    co_await close_with({websocket::close_code::policy_error, "unsupported op"});
  }

  asio::awaitable<void> reply(const json& j) {
    std::string s = j.dump();
    ws_.text(true);
    co_await ws_.async_write(asio::buffer(s), use_awaitable);
  }

  asio::awaitable<void> close_with(websocket::close_reason cr) {
    if (closing_) co_return;
    closing_ = true;
    auto [ec] = co_await ws_.async_close(cr, asio::as_tuple(use_awaitable));
    (void)ec;
  }

  websocket::stream<Stream> ws_;
  wallet_book& book_;
  std::string account_;
  int burst_ = 0;
  int abnormal_drops_ = 0;
  bool closing_ = false;
};

asio::awaitable<void> listen_internal(wallet_book& book, tcp::endpoint ep) {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acc(ex, ep);
  for (;;) {
    auto sock = co_await acc.async_accept(use_awaitable);
    auto s = std::make_shared<wallet_session<beast::tcp_stream>>(book, std::move(sock));
    asio::co_spawn(ex, s->run(), asio::detached);
  }
}

asio::awaitable<void> listen_public(wallet_book& book, ssl::context& ctx, tcp::endpoint ep) {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acc(ex, ep);
  for (;;) {
    auto sock = co_await acc.async_accept(use_awaitable);
    using tls = beast::ssl_stream<beast::tcp_stream>;
    auto s = std::make_shared<wallet_session<tls>>(book, std::move(sock), ctx);
    asio::co_spawn(ex, s->run(), asio::detached);
  }
}

int main() {
  asio::io_context ioc;
  ssl::context ctx(ssl::context::tls_server);
  ctx.use_certificate_chain_file("/etc/wallet/tls/fullchain.pem");
  ctx.use_private_key_file("/etc/wallet/tls/key.pem", ssl::context::pem);
  ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);

  wallet_book book;
  asio::co_spawn(ioc, listen_internal(book, {asio::ip::make_address("10.0.0.5"), 7001}),
                 asio::detached);
  asio::co_spawn(ioc, listen_public(book, ctx, {tcp::v4(), 443}), asio::detached);

  asio::signal_set sigs(ioc, SIGINT, SIGTERM);
  sigs.async_wait([&](beast::error_code, int) { ioc.stop(); });
  ioc.run();
}
