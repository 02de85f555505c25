// checks: errorshield-deferred-ref-capture
// Central system for EV charge points speaking an OCPP-1.6-J-like protocol over WebSocket.
// Each charge point keeps one socket open; we track connector occupancy, authorised id tags,
// running transactions and per-station meter logs.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace ocpp {

template <class F>
struct Finally {
  F fn;
  ~Finally() { fn(); }
};
template <class F>
Finally<F> finally(F fn) {
  return Finally<F>{std::move(fn)};
}

template <class Fn>
void schedule_after(net::steady_timer& timer, std::chrono::steady_clock::duration d, Fn fn) {
  timer.expires_after(d);
  timer.async_wait([fn = std::move(fn)](const beast::error_code& ec) mutable {
    if (!ec) fn();
  });
}

template <class Fn>
void run_after(const net::any_io_executor& ex, std::chrono::steady_clock::duration d, Fn fn) {
  auto t = std::make_shared<net::steady_timer>(ex, d);
  t->async_wait([t, fn = std::move(fn)](const beast::error_code& ec) mutable {
    if (!ec) fn();
  });
}

class ChargePoint : public std::enable_shared_from_this<ChargePoint> {
 public:
  using Done = std::function<void(beast::error_code)>;

  ChargePoint(std::string id, websocket::stream<beast::tcp_stream> ws)
      : id_(std::move(id)), ws_(std::move(ws)) {}

  void send(json frame, Done done) {
    net::post(ws_.get_executor(),
              [self = shared_from_this(), text = frame.dump(), done = std::move(done)]() mutable {
                self->outbox_.push_back({std::move(text), std::move(done)});
                if (self->outbox_.size() == 1) self->write_next();
              });
  }

  const std::string& id() const { return id_; }
  websocket::stream<beast::tcp_stream>& ws() { return ws_; }

 private:
  struct Outgoing {
    std::string text;
    Done done;
  };
  void write_next() {
    ws_.text(true);
    ws_.async_write(net::buffer(outbox_.front().text),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      auto done = std::move(self->outbox_.front().done);
                      self->outbox_.pop_front();
                      if (done) done(ec);
                      if (!ec && !self->outbox_.empty()) self->write_next();
                    });
  }

  std::string id_;
  websocket::stream<beast::tcp_stream> ws_;
  std::deque<Outgoing> outbox_;
};

class CentralSystem {
 public:
  CentralSystem(net::io_context& ioc, tcp::endpoint ep) : ioc_(ioc), acceptor_(ioc, ep) {}

  net::awaitable<void> listen() {
    for (;;) {
      tcp::socket sock = co_await acceptor_.async_accept(net::use_awaitable);
      net::co_spawn(ioc_, serve(std::move(sock)), net::detached);
    }
  }

  void remote_stop_all(const std::vector<std::string>& tx_ids) {
    std::string tx;
    for (const auto& id : tx_ids) {
      tx = id;
      auto it = tx_owner_.find(tx);
      if (it == tx_owner_.end()) continue;
      auto cp = station(it->second);
      if (!cp) continue;
      json req = json::array({2, "stop-" + tx, "RemoteStopTransaction", {{"transactionId", tx}}});
      cp->send(req, [&](beast::error_code ec) { // expect: errorshield-deferred-ref-capture
        if (ec) orphaned_.insert(tx);
      });
    }
  }

  void remote_stop(const std::string& tx) {
    auto it = tx_owner_.find(tx);
    if (it == tx_owner_.end()) return;
    if (auto cp = station(it->second)) {
      json req = json::array({2, "stop-" + tx, "RemoteStopTransaction", {{"transactionId", tx}}});
      cp->send(req, [this, tx](beast::error_code ec) {
        if (ec) orphaned_.insert(tx);
      });
    }
  }

  void rotate_meter_logs() {
    int fd = -1;
    for (const auto& [station_id, path] : meter_paths_) {
      fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0640);
      if (fd < 0) continue;
      meter_fds_[station_id] = fd;
      on_shutdown_.push_back([&] { ::close(fd); }); // expect: errorshield-deferred-ref-capture
    }
  }

  void open_diag_log(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0640);
    if (fd < 0) return;
    diag_fd_ = fd;
    on_shutdown_.push_back([fd] { ::close(fd); });
  }

  void forget_transactions_of(const std::string& cp_id) {
    std::string owner = cp_id;
    std::erase_if(tx_owner_, [&](const auto& kv) { return kv.second == owner; });
    owner = "pending:" + cp_id;
    std::erase_if(tx_owner_, [&](const auto& kv) { return kv.second == owner; });
  }

  void shutdown() {
    for (auto& hook : on_shutdown_) hook();
    on_shutdown_.clear();
  }

 private:
  std::shared_ptr<ChargePoint> station(const std::string& id) {
    auto it = sessions_.find(id);
    return it == sessions_.end() ? nullptr : it->second.lock();
  }

  net::awaitable<void> serve(tcp::socket sock) {
    websocket::stream<beast::tcp_stream> ws(std::move(sock));
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws.read_message_max(128 * 1024);
    beast::http::request<beast::http::string_body> req;
    beast::flat_buffer buf;
    co_await beast::http::async_read(ws.next_layer(), buf, req, net::use_awaitable);
    const std::string cp_id(req.target().substr(req.target().rfind('/') + 1));
    co_await ws.async_accept(req, net::use_awaitable);

    auto cp = std::make_shared<ChargePoint>(cp_id, std::move(ws));
    sessions_[cp_id] = cp;
    auto unregister = finally([&] { sessions_.erase(cp_id); });

    int connector = 1;
    occupied_.insert({cp_id, connector});
    auto release = finally([&] { occupied_.erase({cp_id, connector}); }); // expect: errorshield-deferred-ref-capture

    std::string id_tag;
    const auto ex = co_await net::this_coro::executor;
    net::steady_timer heartbeat_watch(ex);
    schedule_after(heartbeat_watch, 600s, [this, cp_id] { offline_.insert(cp_id); });

    for (;;) {
      beast::flat_buffer frame;
      auto [ec, n] = co_await cp->ws().async_read(frame, net::as_tuple(net::use_awaitable));
      if (ec) break;
      json msg = json::parse(beast::buffers_to_string(frame.data()), nullptr, false);
      if (!msg.is_array() || msg.size() < 4 || msg[0] != 2) continue;
      const std::string uid = msg[1].get<std::string>();
      const std::string action = msg[2].get<std::string>();
      const json& body = msg[3];
      json result = json::object();

      if (action == "Heartbeat") {
        schedule_after(heartbeat_watch, 600s, [this, cp_id] { offline_.insert(cp_id); });
        result["currentTime"] = std::chrono::system_clock::now().time_since_epoch().count();
      } else if (action == "Authorize") {
        id_tag = body.value("idTag", "");
        authorized_.insert(id_tag);
        run_after(ex, 90s, [&] { authorized_.erase(id_tag); }); // expect: errorshield-deferred-ref-capture
        result["idTagInfo"] = {{"status", "Accepted"}};
      } else if (action == "StatusNotification") {
        const int reported = body.value("connectorId", 1);
        if (body.value("status", "") == "Preparing" && reported != connector) {
          connector = reported;
          occupied_.insert({cp_id, connector});
        }
        result = json::object();
      } else if (action == "StartTransaction") {
        const std::string tx = cp_id + "-" + std::to_string(++tx_seq_);
        tx_owner_[tx] = cp_id;
        result["transactionId"] = tx;
        result["idTagInfo"] = {{"status", authorized_.count(body.value("idTag", "")) ? "Accepted" : "Invalid"}};
      } else if (action == "StopTransaction") {
        tx_owner_.erase(body.value("transactionId", ""));
      }
      cp->send(json::array({3, uid, result}), [this, cp_id](beast::error_code wec) {
        if (wec) offline_.insert(cp_id);
      });
    }
    heartbeat_watch.cancel();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  std::map<std::string, std::weak_ptr<ChargePoint>> sessions_;
  std::set<std::pair<std::string, int>> occupied_;
  std::set<std::string> authorized_;
  std::set<std::string> offline_;
  std::set<std::string> orphaned_;
  std::map<std::string, std::string> tx_owner_;
  std::map<std::string, std::string> meter_paths_;
  std::map<std::string, int> meter_fds_;
  std::vector<std::function<void()>> on_shutdown_;
  int diag_fd_ = -1;
  unsigned long tx_seq_ = 0;
};

}  // namespace ocpp
