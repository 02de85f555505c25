// checks: errorshield-ws-handshake-origin
// Pit score synchronisation: the conductor's console pushes page turns and
// rehearsal marks, the players' stand tablets follow along in the browser.

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace pit {

// Browser origins allowed to open the sync socket, one per line.
class OriginPolicy {
public:
  static OriginPolicy load(const std::string& path) {
    OriginPolicy p;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      line = line.substr(0, line.find_first_of("# \r"));
      if (!line.empty()) p.allowed_.insert(line);
    }
    return p;
  }

  bool allows(std::string_view origin) const {
    return !origin.empty() && allowed_.count(std::string(origin)) != 0;
  }

private:
  std::unordered_set<std::string> allowed_;
};

inline std::string_view origin_of(const http::request<http::string_body>& req) {
  auto sv = req[http::field::origin];
  return {sv.data(), sv.size()};
}

// An annotation on a part; "origin" is who made it (conductor, librarian...).
struct ScoreEdit {
  std::string part;
  int bar = 0;
  std::string text;
  std::string origin;
};

inline json to_wire(const ScoreEdit& e) {
  return {{"type", "edit"}, {"part", e.part}, {"bar", e.bar}, {"text", e.text}, {"origin", e.origin}};
}

class Follower {
public:
  virtual ~Follower() = default;
  virtual void deliver(std::shared_ptr<const std::string> frame) = 0;
};

class PitHub {
public:
  void join(const std::shared_ptr<Follower>& f) {
    std::lock_guard lk(mu_);
    followers_.push_back(f);
  }

  void broadcast(const json& msg) {
    auto frame = std::make_shared<const std::string>(msg.dump());
    std::vector<std::shared_ptr<Follower>> live;
    {
      std::lock_guard lk(mu_);
      std::erase_if(followers_, [](const auto& w) { return w.expired(); });
      for (auto& w : followers_)
        if (auto s = w.lock()) live.push_back(std::move(s));
    }
    for (auto& s : live) s->deliver(frame);
  }

  json snapshot() const {
    std::lock_guard lk(mu_);
    return {{"type", "snapshot"}, {"page", page_}, {"mark", mark_}};
  }

  void turn_to(int page, std::string mark) {
    {
      std::lock_guard lk(mu_);
      page_ = page;
      mark_ = std::move(mark);
    }
    broadcast({{"type", "page"}, {"page", page}});
  }

private:
  mutable std::mutex mu_;
  std::vector<std::weak_ptr<Follower>> followers_;
  int page_ = 1;
  std::string mark_ = "A";
};

// Common write queue for anything that follows the score.
template <class Derived>
class QueuedWs : public Follower, public std::enable_shared_from_this<Derived> {
public:
  explicit QueuedWs(tcp::socket&& s) : ws_(std::move(s)) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.text(true);
  }

  void deliver(std::shared_ptr<const std::string> frame) override {
    net::post(ws_.get_executor(), [self = this->shared_from_this(), frame] {
      self->queue_.push_back(frame);
      if (self->queue_.size() == 1) self->write_next();
    });
  }

protected:
  void write_next() {
    ws_.async_write(net::buffer(*queue_.front()), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->write_next();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::deque<std::shared_ptr<const std::string>> queue_;
};

// Player stand tablet. Only created by HttpSession once the origin is vetted.
class StandSession : public QueuedWs<StandSession> {
public:
  StandSession(tcp::socket&& s, PitHub& hub, http::request<http::string_body> req)
      : QueuedWs(std::move(s)), hub_(hub), req_(std::move(req)) {}

  void run() {
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) { if (!ec) self->on_open(); });
  }

private:
  void on_open() {
    hub_.join(shared_from_this());
    deliver(std::make_shared<const std::string>(hub_.snapshot().dump()));
    // stands never talk back except to close
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  PitHub& hub_;
  http::request<http::string_body> req_;
};

// The podium console drives page turns for everyone.
class ConductorSession : public QueuedWs<ConductorSession> {
public:
  ConductorSession(tcp::socket&& s, PitHub& hub, http::request<http::string_body> req)
      : QueuedWs(std::move(s)), hub_(hub), req_(std::move(req)) {}

  void run() {
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) { if (!ec) self->read_cmd(); }); // expect: errorshield-ws-handshake-origin
  }

private:
  void read_cmd() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto cmd = json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false);
      self->in_.consume(self->in_.size());
      if (cmd.is_object() && cmd.value("type", "") == "turn")
        self->hub_.turn_to(cmd.value("page", 1), cmd.value("mark", ""));
      self->read_cmd();
    });
  }

  PitHub& hub_;
  http::request<http::string_body> req_;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
  HttpSession(tcp::socket&& s, PitHub& hub, const OriginPolicy& policy)
      : stream_(std::move(s)), hub_(hub), policy_(policy) {}

  void run() {
    stream_.expires_after(std::chrono::seconds(15));
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->route();
    });
  }

private:
  // Writes the 403 itself when the origin is not on the list.
  bool admit() {
    if (policy_.allows(origin_of(req_))) return true;
    auto res = std::make_shared<http::response<http::string_body>>(http::status::forbidden, req_.version());
    res->set(http::field::content_type, "text/plain");
    res->body() = "origin not allowed\n";
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code, std::size_t) {
      self->stream_.socket().shutdown(tcp::socket::shutdown_send);
    });
    return false;
  }

  void forbid() {
    auto res = std::make_shared<http::response<http::string_body>>(http::status::forbidden, req_.version());
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code, std::size_t) {});
  }

  void route() {
    if (!websocket::is_upgrade(req_)) return forbid();
    std::string target(req_.target());
    stream_.expires_never();

    if (target == "/stand") {
      if (!policy_.allows(origin_of(req_))) return forbid();
      std::make_shared<StandSession>(stream_.release_socket(), hub_, std::move(req_))->run();
      return;
    }

    if (target == "/conductor") {
      auto origin = origin_of(req_);
      if (!policy_.allows(origin))
        std::clog << "pit-sync: conductor console from unlisted origin '" << origin << "'\n";
      std::make_shared<ConductorSession>(stream_.release_socket(), hub_, std::move(req_))->run();
      return;
    }

    if (target == "/rehearsal") {
      // kiosk tablets in the rehearsal hall
      if (req_.find(http::field::origin) == req_.end()) return forbid();
      auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(stream_.release_socket());
      ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
      ws->async_accept(req_, [ws, &hub = hub_](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
        if (ec) return;
        ws->text(true);
        auto snap = std::make_shared<std::string>(hub.snapshot().dump());
        ws->async_write(net::buffer(*snap), [ws, snap](beast::error_code, std::size_t) {});
      });
      return;
    }

    if (target == "/librarian") {
      if (!admit()) return;
      auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(stream_.release_socket());
      ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
      ws->async_accept(req_, [ws, &hub = hub_](beast::error_code ec) {
        if (ec) return;
        hub.broadcast(to_wire(ScoreEdit{"viola", 112, "divisi from here", "librarian"}));
      });
      return;
    }

    forbid();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  PitHub& hub_;
  const OriginPolicy& policy_;
};

// Old LED stand lights from the previous system still connect on their own
// port and speak the socket protocol directly.
class LegacyStandListener {
public:
  LegacyStandListener(net::io_context& ioc, unsigned short port, PitHub& hub)
      : acceptor_(ioc, {tcp::v4(), port}), hub_(hub) {}

  void start() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket sock) {
      if (!ec) open(std::move(sock));
      start();
    });
  }

private:
  void open(tcp::socket sock) {
    auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(sock));
    ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws->async_accept([ws, this](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (ec) return;
      auto page = std::make_shared<std::string>(std::to_string(hub_.snapshot().value("page", 1)));
      ws->async_write(net::buffer(*page), [ws, page](beast::error_code, std::size_t) {});
    });
  }

  tcp::acceptor acceptor_;
  PitHub& hub_;
};

// Pulls annotations from the central score archive. Client side: we send our
// own Origin so the archive can vet us.
class ArchiveFeed : public std::enable_shared_from_this<ArchiveFeed> {
public:
  ArchiveFeed(net::io_context& ioc, PitHub& hub) : resolver_(ioc), ws_(ioc), hub_(hub) {}

  void start(std::string host, std::string port) {
    host_ = std::move(host);
    resolver_.async_resolve(host_, port, [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
      if (ec) return;
      beast::get_lowest_layer(self->ws_).async_connect(r, [self](beast::error_code ec, const tcp::endpoint&) {
        if (ec) return;
        self->ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
          req.set(http::field::origin, "https://pit.example-orchestra.org");
        }));
        self->ws_.async_handshake(self->host_, "/annotations", [self](beast::error_code ec) {
          if (!ec) self->pump();
        });
      });
    });
  }

private:
  void pump() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (j.is_object()) {
        ScoreEdit e{j.value("part", ""), j.value("bar", 0), j.value("text", ""), j.value("origin", "archive")};
        self->hub_.broadcast(to_wire(e));
      }
      self->pump();
    });
  }

  tcp::resolver resolver_;
  websocket::stream<beast::tcp_stream> ws_;
  PitHub& hub_;
  std::string host_;
  beast::flat_buffer buf_;
};

} // namespace pit
