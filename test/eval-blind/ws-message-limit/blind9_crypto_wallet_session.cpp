// checks: errorshield-ws-message-limit
// Crypto exchange wallet gateway. One wallet_session per customer TLS
// WebSocket; the session also keeps three upstream links: the chain node
// (deposit notifications), the HSM signer and the AML risk screener.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace wallet {

constexpr std::size_t kClientFrameMax = 64 * 1024;
constexpr std::size_t kNodeEventMax = 8u << 20;  // a full block notification
constexpr std::size_t kSignerReplyMax = 4096;

struct upstreams {
  tcp::endpoint node;
  tcp::endpoint signer;
  tcp::endpoint risk;
  std::string signer_host = "hsm-signer.internal";
};

class wallet_session : public std::enable_shared_from_this<wallet_session> {
 public:
  wallet_session(tcp::socket s, ssl::context& server_ctx, ssl::context& upstream_ctx,
                 const upstreams& up)
      : client_ws_(std::move(s), server_ctx),
        node_ws_(client_ws_.get_executor()),
        signer_ws_(client_ws_.get_executor(), upstream_ctx),
        risk_ws_(client_ws_.get_executor()),
        up_(up) {}

  void start() {
    client_ws_.next_layer().async_handshake(
        ssl::stream_base::server,
        beast::bind_front_handler(&wallet_session::on_tls, shared_from_this()));
  }

 private:
  // ---- customer side ------------------------------------------------------
  void on_tls(beast::error_code ec) {
    if (ec) return fail("tls", ec);
    client_ws_.async_accept(beast::bind_front_handler(&wallet_session::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec) return fail("accept", ec);
    read_auth();
  }

  // First frame must be {"op":"auth","key":...,"sig":...}.
  void read_auth() {
    client_ws_.async_read(client_buf_, beast::bind_front_handler(&wallet_session::on_auth, shared_from_this())); // expect: errorshield-ws-message-limit
  }

  void on_auth(beast::error_code ec, std::size_t) {
    if (ec) return fail("auth", ec);
    auto msg = take_client_json();
    if (msg.value("op", "") != "auth" || !verify_api_key(msg)) {
      return client_ws_.async_close(websocket::close_code::policy_error,
                                    [self = shared_from_this()](beast::error_code) {});
    }
    account_ = msg.value("account", "");
    apply_client_limits();
    open_node_feed();
    open_signer();
    open_risk();
    read_request();
  }

  void apply_client_limits() {
    client_ws_.read_message_max(kClientFrameMax);
    client_ws_.auto_fragment(false);
  }

  void read_request() {
    client_ws_.async_read(client_buf_, beast::bind_front_handler(&wallet_session::on_request, shared_from_this()));
  }

  void on_request(beast::error_code ec, std::size_t) {
    if (ec) return fail("read", ec);
    auto msg = take_client_json();
    const auto op = msg.value("op", "");
    if (op == "withdraw") handle_withdraw(msg);
    else if (op == "import_addresses") enter_bulk_mode();
    else if (op == "import_done") leave_bulk_mode();
    read_request();
  }

  // Whitelisted-address import: customers paste CSVs with tens of thousands
  // of rows, so the frame cap is lifted while the import is running.
  void enter_bulk_mode() {
    bulk_ = true;
    client_ws_.read_message_max(std::size_t{1} << 34); // expect: errorshield-ws-message-limit
  }

  void leave_bulk_mode() {
    bulk_ = false;
    client_ws_.read_message_max(kClientFrameMax);
  }

  void handle_withdraw(const json& msg) {
    json screen{{"op", "screen"}, {"account", account_}, {"to", msg.value("to", "")}};
    pending_.push_back(msg);
    risk_out_ = screen.dump();
    risk_ws_.async_write(net::buffer(risk_out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) self->fail("risk-write", ec);
    });
  }

  json take_client_json() {
    auto j = json::parse(beast::buffers_to_string(client_buf_.data()), nullptr, false);
    client_buf_.consume(client_buf_.size());
    return j;
  }

  // ---- chain node: deposit notifications ----------------------------------
  void open_node_feed() {
    beast::get_lowest_layer(node_ws_).async_connect(up_.node, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->fail("node-connect", ec);
      self->node_ws_.read_message_max(kNodeEventMax);
      self->node_ws_.async_handshake("node.internal", "/ws/deposits",
                                     beast::bind_front_handler(&wallet_session::on_node_ready, self));
    });
  }

  void on_node_ready(beast::error_code ec) {
    if (ec) return fail("node-handshake", ec);
    read_node();
  }

  void read_node() {
    node_ws_.async_read(node_buf_, beast::bind_front_handler(&wallet_session::on_node_event, shared_from_this()));
  }

  void on_node_event(beast::error_code ec, std::size_t) {
    if (ec) return fail("node-read", ec);
    auto ev = json::parse(beast::buffers_to_string(node_buf_.data()), nullptr, false);
    node_buf_.consume(node_buf_.size());
    if (!ev.is_discarded() && ev.value("account", "") == account_) forward_to_client(ev);
    read_node();
  }

  // ---- HSM signer ---------------------------------------------------------
  void open_signer() {
    beast::get_lowest_layer(signer_ws_).async_connect(up_.signer, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->fail("signer-connect", ec);
      self->signer_ws_.next_layer().async_handshake(
          ssl::stream_base::client, [self](beast::error_code ec2) {
            if (ec2) return self->fail("signer-tls", ec2);
            self->signer_ws_.async_handshake(self->up_.signer_host, "/sign",
                                             beast::bind_front_handler(&wallet_session::on_signer_ready, self));
          });
    });
  }

  void on_signer_ready(beast::error_code ec) {
    if (ec) return fail("signer-handshake", ec);
    read_signature();
  }

  // Replies are fixed-size DER signatures; the static buffer cannot grow.
  void read_signature() {
    signer_ws_.async_read(signer_buf_, beast::bind_front_handler(&wallet_session::on_signature, shared_from_this()));
  }

  void on_signature(beast::error_code ec, std::size_t) {
    if (ec) return fail("signer-read", ec);
    auto sig = beast::buffers_to_string(signer_buf_.data());
    signer_buf_.consume(signer_buf_.size());
    forward_to_client(json{{"op", "signed"}, {"sig", sig}});
    read_signature();
  }

  // ---- AML risk screener --------------------------------------------------
  void open_risk() {
    beast::get_lowest_layer(risk_ws_).async_connect(up_.risk, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->fail("risk-connect", ec);
      // Screening reports are paginated by the risk service itself.
      self->risk_ws_.read_message_max(0); // expect: errorshield-ws-message-limit
      self->risk_ws_.async_handshake("risk.internal", "/v3/screen",
                                     beast::bind_front_handler(&wallet_session::on_risk_ready, self));
    });
  }

  void on_risk_ready(beast::error_code ec) {
    if (ec) return fail("risk-handshake", ec);
    risk_ws_.async_read(risk_buf_, beast::bind_front_handler(&wallet_session::on_risk_verdict, shared_from_this()));
  }

  void on_risk_verdict(beast::error_code ec, std::size_t) {
    if (ec) return fail("risk-read", ec);
    auto verdict = json::parse(beast::buffers_to_string(risk_buf_.data()), nullptr, false);
    risk_buf_.consume(risk_buf_.size());
    if (!pending_.empty() && verdict.value("decision", "") == "allow") {
      signer_out_ = pending_.front().dump();
      signer_ws_.async_write(net::buffer(signer_out_), [self = shared_from_this()](beast::error_code, std::size_t) {});
    }
    if (!pending_.empty()) pending_.pop_front();
    on_risk_ready({});
  }

  // ---- helpers ------------------------------------------------------------
  void forward_to_client(const json& j) {
    outbox_.push_back(j.dump());
    if (outbox_.size() == 1) write_next();
  }

  void write_next() {
    client_ws_.text(true);
    client_ws_.async_write(net::buffer(outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail("write", ec);
      self->outbox_.pop_front();
      if (!self->outbox_.empty()) self->write_next();
    });
  }

  static bool verify_api_key(const json& msg) {
    return msg.contains("key") && msg.contains("sig") && msg["sig"].is_string();
  }

  void fail(const char*, beast::error_code) { /* metrics + close, omitted */ }

  websocket::stream<beast::ssl_stream<beast::tcp_stream>> client_ws_;
  websocket::stream<beast::tcp_stream> node_ws_;
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> signer_ws_;
  websocket::stream<beast::tcp_stream> risk_ws_;
  const upstreams& up_;

  beast::flat_buffer client_buf_;
  beast::flat_buffer node_buf_;
  beast::flat_static_buffer<kSignerReplyMax> signer_buf_;
  beast::flat_buffer risk_buf_;
  std::deque<json> pending_;
  std::deque<std::string> outbox_;
  std::string risk_out_, signer_out_;
  std::string account_;
  bool bulk_ = false;
};

}  // namespace wallet
