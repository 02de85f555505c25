// checks: errorshield-upgrade-header
// Carillon scheduler: pushes ringing plans (service tolls, peals, recitals) to
// the tower controllers of the diocese. Newer controllers speak HTTPS, the old
// ones are plain HTTP on the parish LAN. The organists' console on the LAN
// talks to us, and we relay its calendar queries to the diocesan calendar.

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using nlohmann::json;

namespace carillon {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct TowerConfig {
  std::string name;
  std::string host;
  std::string port = "80";
  bool tls = false;
  bool h2c_upgrade = false;   // controller firmware 4.x accepts HTTP/2
  int bell_count = 23;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TowerConfig, name, host, port, tls, h2c_upgrade, bell_count)

std::vector<TowerConfig> load_towers(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  return json::parse(in).at("towers").get<std::vector<TowerConfig>>();
}

// SETTINGS payload for the upgrade offer (base64url, no padding).
std::string h2_settings_b64() { return "AAMAAABkAAQAAP__"; }

template <class Fields>
void add_h2c_offer(http::header<true, Fields>& h) {
  h.set(http::field::connection, "Upgrade, HTTP2-Settings");
  h.set(http::field::upgrade, "h2c");
  h.set("HTTP2-Settings", h2_settings_b64());
}

Request schedule_request(const TowerConfig& t, const json& plan) {
  Request req{http::verb::put, "/api/v1/schedule", 11};
  req.set(http::field::host, t.host);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::user_agent, "carillon-scheduler/2.3");
  req.body() = plan.dump();
  req.prepare_payload();
  return req;
}

// Old controllers on the parish LAN.
class LanTowerLink {
public:
  LanTowerLink(net::io_context& ioc, TowerConfig t) : stream_(ioc), tower_(std::move(t)) {}

  Response push(const json& plan) {
    tcp::resolver resolver(stream_.get_executor());
    stream_.connect(resolver.resolve(tower_.host, tower_.port));
    Request req = schedule_request(tower_, plan);
    if (tower_.h2c_upgrade)
      add_h2c_offer(req);
    http::write(stream_, req);
    beast::flat_buffer buf;
    Response res;
    http::read(stream_, buf, res);
    return res;
  }

  Response test_strike(int bell) {
    Request req{http::verb::post, "/api/v1/strike", 11};
    req.set(http::field::host, tower_.host);
    req.set(http::field::connection, "Upgrade, HTTP2-Settings");
    req.set(http::field::upgrade, "h2c");
    req.set("HTTP2-Settings", h2_settings_b64());
    req.body() = json{{"bell", bell}, {"velocity", 80}}.dump();
    req.prepare_payload();
    http::write(stream_, req);
    beast::flat_buffer buf;
    Response res;
    http::read(stream_, buf, res);
    return res;
  }

private:
  beast::tcp_stream stream_;
  TowerConfig tower_;
};

// Controllers with the TLS firmware. One request in flight per link.
class SecureTowerLink : public std::enable_shared_from_this<SecureTowerLink> {
public:
  SecureTowerLink(net::io_context& ioc, ssl::context& ctx, TowerConfig t)
      : stream_(std::make_unique<TlsStream>(ioc, ctx)), tower_(std::move(t)) {}

  void push(const json& plan, std::function<void(beast::error_code, unsigned)> done) {
    done_ = std::move(done);
    pending_ = std::make_unique<Request>(schedule_request(tower_, plan));
    if (tower_.h2c_upgrade) {
      pending_->set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
      pending_->set("HTTP2-Settings", h2_settings_b64()); // expect: errorshield-upgrade-header
    }
    pending_->set(http::field::connection, "keep-alive");
    send();
  }

  void push_recital(const json& plan, std::function<void(beast::error_code, unsigned)> done) {
    done_ = std::move(done);
    pending_ = std::make_unique<Request>(schedule_request(tower_, plan));
    pending_->target("/api/v1/recital");
    // Recital plans run to several hundred entries; let the controller pick h2.
    add_h2c_offer(*pending_); // expect: errorshield-upgrade-header
    send();
  }

private:
  void send() {
    http::async_write(*stream_, *pending_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec)
                          return self->done_(ec, 0);
                        self->res_ = {};
                        http::async_read(*self->stream_, self->buf_, self->res_,
                                         [self](beast::error_code ec2, std::size_t) {
                                           self->done_(ec2, self->res_.result_int());
                                         });
                      });
  }

  std::unique_ptr<TlsStream> stream_;
  TowerConfig tower_;
  std::unique_ptr<Request> pending_;
  beast::flat_buffer buf_;
  Response res_;
  std::function<void(beast::error_code, unsigned)> done_;
};

// Organists' console connection (LAN, cleartext). Calendar queries are relayed
// to the diocesan calendar service over HTTPS.
class ConsoleSession : public std::enable_shared_from_this<ConsoleSession> {
public:
  ConsoleSession(tcp::socket sock, ssl::context& ctx, std::string calendar_host)
      : console_(std::move(sock)),
        calendar_(std::make_unique<TlsStream>(console_.get_executor(), ctx)),
        calendar_host_(std::move(calendar_host)) {}

  void start() {
    if (!SSL_set_tlsext_host_name(calendar_->native_handle(), calendar_host_.c_str()))
      return;
    tcp::resolver resolver(console_.get_executor());
    beast::get_lowest_layer(*calendar_).connect(resolver.resolve(calendar_host_, "443"));
    calendar_->handshake(ssl::stream_base::client);
    read_console();
  }

private:
  void read_console() {
    console_req_ = {};
    http::async_read(console_, console_buf_, console_req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec)
                         return;
                       self->route();
                     });
  }

  auto relay_back() {
    return [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->calendar_res_ = {};
      http::async_read(*self->calendar_, self->calendar_buf_, self->calendar_res_,
                       [self](beast::error_code ec2, std::size_t) {
                         if (ec2)
                           return;
                         http::async_write(self->console_, self->calendar_res_,
                                           [self](beast::error_code ec3, std::size_t) {
                                             if (!ec3)
                                               self->read_console();
                                           });
                       });
    };
  }

  void route() {
    if (console_req_.target().starts_with("/feasts")) {
      console_req_.set(http::field::host, calendar_host_);
      http::async_write(*calendar_, console_req_, relay_back()); // expect: errorshield-upgrade-header
      return;
    }
    if (console_req_.target().starts_with("/services")) {
      Request up = console_req_;
      up.erase(http::field::connection);
      up.erase(http::field::upgrade);
      up.erase("HTTP2-Settings");
      up.set(http::field::host, calendar_host_);
      up.keep_alive(true);
      relayed_ = std::move(up);
      http::async_write(*calendar_, relayed_, relay_back());
      return;
    }
    Response res{http::status::not_found, console_req_.version()};
    res.prepare_payload();
    http::write(console_, res);
  }

  beast::tcp_stream console_;
  std::unique_ptr<TlsStream> calendar_;
  std::string calendar_host_;
  beast::flat_buffer console_buf_;
  beast::flat_buffer calendar_buf_;
  Request console_req_;
  Request relayed_;
  Response calendar_res_;
};

// Live strike monitor from a TLS controller (which bell struck when).
void watch_strikes(net::io_context& ioc, ssl::context& ctx, const TowerConfig& t) {
  websocket::stream<TlsStream> ws(ioc, ctx);
  tcp::resolver resolver(ioc);
  beast::get_lowest_layer(ws).connect(resolver.resolve(t.host, t.port));
  ws.next_layer().handshake(ssl::stream_base::client);
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type& r) {
    r.set(http::field::user_agent, "carillon-scheduler/2.3");
  }));
  ws.handshake(t.host, "/api/v1/strikes");
  beast::flat_buffer buf;
  for (int i = 0; i < 64; ++i) {
    ws.read(buf);
    std::clog << t.name << ": " << beast::buffers_to_string(buf.data()) << '\n';
    buf.consume(buf.size());
  }
  ws.close(websocket::close_code::normal);
}

} // namespace carillon
