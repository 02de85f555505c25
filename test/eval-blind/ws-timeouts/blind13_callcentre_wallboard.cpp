// checks: errorshield-ws-timeouts
// Call-centre wallboard server: queue statistics pushed to TVs, supervisor and agent desktops,
// agent-state events pulled from the PBX CTI gateway.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

using ws_t = websocket::stream<beast::tcp_stream>;

struct QueueStats {
  std::string queue;
  int waiting = 0;
  int agents_ready = 0;
  int longest_wait_s = 0;
  int abandoned_today = 0;
};

inline void to_json(nlohmann::json& j, const QueueStats& q) {
  j = nlohmann::json{{"queue", q.queue},
                     {"waiting", q.waiting},
                     {"ready", q.agents_ready},
                     {"longest", q.longest_wait_s},
                     {"abandoned", q.abandoned_today}};
}

class SessionBase {
 protected:
  static void harden(ws_t& ws) {
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "wallboard/3.2");
    }));
  }
};

// Big TV wallboards on the floor.
class WallboardSession : public SessionBase, public std::enable_shared_from_this<WallboardSession> {
 public:
  explicit WallboardSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    harden(ws_);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->wait_for_close();
    });
  }

 private:
  void wait_for_close() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->buf_.clear();
      self->wait_for_close();
    });
  }

  ws_t ws_;
  beast::flat_buffer buf_;
};

// Team-leader dashboards: extra header for the SSO proxy.
class SupervisorSession : public std::enable_shared_from_this<SupervisorSession> {
 public:
  explicit SupervisorSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "wallboard/3.2");
      res.set("X-Wallboard-Role", "supervisor");
    }));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_commands();
    });
  }

 private:
  void read_commands() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto cmd = nlohmann::json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.clear();
      if (!cmd.is_discarded() && cmd.value("op", "") == "reset_abandoned") {
        std::cout << "reset requested\n";
      }
      self->read_commands();
    });
  }

  ws_t ws_; // expect: errorshield-ws-timeouts
  beast::flat_buffer buf_;
};

// Reception kiosk screens go to sleep at night; facilities asked us not to drop them.
class KioskSession : public std::enable_shared_from_this<KioskSession> {
 public:
  explicit KioskSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout{30s, websocket::stream_base::none(), false}); // expect: errorshield-ws-timeouts
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->idle();
    });
  }

 private:
  void idle() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->idle();
    });
  }

  ws_t ws_;
  beast::flat_buffer buf_;
};

// Agent desktop soft-phone widget.
class AgentDesktopSession : public std::enable_shared_from_this<AgentDesktopSession> {
 public:
  explicit AgentDesktopSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout{10s, 30s, true});
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->idle();
    });
  }

 private:
  void idle() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->idle();
    });
  }

  ws_t ws_;
  beast::flat_buffer buf_;
};

// Pulls agent state changes from the PBX's CTI gateway; fails over to the standby PBX.
class CtiClient {
 public:
  CtiClient(net::io_context& ioc, std::string primary, std::string standby)
      : strand_(net::make_strand(ioc)), resolver_(strand_),
        primary_(std::move(primary)), standby_(std::move(standby)) {}

  void connect() {
    ws_.emplace(strand_);
    ws_->set_option(websocket::stream_base::timeout{15s, 20s, true});
    start(primary_);
  }

 private:
  void failover() {
    std::cerr << "CTI primary lost, switching to " << standby_ << "\n";
    ws_.emplace(strand_); // expect: errorshield-ws-timeouts
    start(standby_);
  }

  void start(const std::string& host) {
    resolver_.async_resolve(host, "8443", [this, host](beast::error_code ec, tcp::resolver::results_type r) {
      if (ec) return failover();
      beast::get_lowest_layer(*ws_).async_connect(r, [this, host](beast::error_code ec, tcp::endpoint) {
        if (ec) return failover();
        ws_->async_handshake(host, "/cti/events", [this](beast::error_code ec) {
          if (ec) return failover();
          read_events();
        });
      });
    });
  }

  void read_events() {
    ws_->async_read(buf_, [this](beast::error_code ec, std::size_t) {
      if (ec) return failover();
      buf_.consume(buf_.size());
      read_events();
    });
  }

  net::strand<net::io_context::executor_type> strand_;
  tcp::resolver resolver_;
  std::optional<ws_t> ws_;
  beast::flat_buffer buf_;
  std::string primary_;
  std::string standby_;
};

// Listener with pluggable handlers; the overflow handler is installed at start-up and
// only runs when the floor has more screens than licences.
class WallboardListener : public std::enable_shared_from_this<WallboardListener> {
 public:
  WallboardListener(net::io_context& ioc, tcp::endpoint ep, std::size_t licences)
      : ioc_(ioc), acceptor_(ioc, ep), licences_(licences) {
    on_licensed_ = [](tcp::socket s) {
      auto ws = std::make_shared<ws_t>(std::move(s));
      ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
      ws->async_accept([ws](beast::error_code ec) {
        static const std::string kHello = R"({"licensed":true})";
        if (!ec) ws->async_write(net::buffer(kHello), [ws](beast::error_code, std::size_t) {});
      });
    };
    on_overflow_ = [](tcp::socket s) {
      auto ws = std::make_shared<ws_t>(std::move(s)); // expect: errorshield-ws-timeouts
      ws->async_accept([ws](beast::error_code ec) {
        if (ec) return;
        auto buf = std::make_shared<beast::flat_buffer>();
        ws->async_read(*buf, [ws, buf](beast::error_code, std::size_t) {});
      });
    };
  }

  void run() { do_accept(); }

 private:
  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        if (++self->connected_ <= self->licences_)
          self->on_licensed_(std::move(s));
        else
          self->on_overflow_(std::move(s));
      }
      self->do_accept();
    });
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  std::size_t licences_;
  std::size_t connected_ = 0;
  std::function<void(tcp::socket)> on_licensed_;
  std::function<void(tcp::socket)> on_overflow_;
};

inline std::string render_board(const std::vector<QueueStats>& queues) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& q : queues) j.push_back(q);
  return j.dump();
}
