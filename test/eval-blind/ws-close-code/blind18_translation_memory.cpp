// checks: errorshield-ws-close-code
// Translation-memory server. CAT tools keep one WebSocket per translator open
// while they work through a project: each segment is looked up for exact and
// fuzzy matches, confirmed segments are committed back, and project managers can
// lock a project for review. The server runs behind TLS and rotates its
// certificate nightly.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace tmsrv {

// Application close codes, documented for the CAT-tool plug-in authors.
namespace tm_close {
constexpr std::uint16_t session_expired = 4001;
constexpr std::uint16_t project_locked = 4002;
constexpr std::uint16_t seat_limit = 4003;
constexpr std::uint16_t reindexing = 2000;
}  // namespace tm_close

struct tm_unit {
  std::string source;
  std::string target;
  std::string project;
  std::uint32_t job_id = 0;
};

class memory_store {
 public:
  void commit(tm_unit u) {
    std::lock_guard lk(mu_);
    units_[u.source].push_back(std::move(u));
  }
  json lookup(const std::string& source, const std::string& project) const {
    std::lock_guard lk(mu_);
    json hits = json::array();
    auto it = units_.find(source);
    if (it == units_.end()) return hits;
    for (const auto& u : it->second)
      hits.push_back({{"target", u.target}, {"score", u.project == project ? 100 : 99}});
    return hits;
  }
  bool locked(const std::string& project) const {
    std::lock_guard lk(mu_);
    return std::find(locked_.begin(), locked_.end(), project) != locked_.end();
  }
  void lock(std::string project) {
    std::lock_guard lk(mu_);
    locked_.push_back(std::move(project));
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::vector<tm_unit>> units_;
  std::vector<std::string> locked_;
};

using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

template <class Stream>
void close_with(Stream& ws, std::uint16_t code, std::string_view why) {
  websocket::close_reason cr(code);
  cr.reason.assign(why.data(), why.size());
  ws.async_close(cr, [](beast::error_code) {});
}

class translator_session : public std::enable_shared_from_this<translator_session> {
 public:
  translator_session(beast::ssl_stream<beast::tcp_stream>&& s, memory_store& store, std::size_t seats_in_use)
      : ws_(std::move(s)), store_(store), seats_in_use_(seats_in_use) {}

  tls_ws& ws() { return ws_; }

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(1 << 20);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      if (self->seats_in_use_ > 40) {
        close_with(self->ws_, tm_close::seat_limit, "licence seats exhausted");
        return;
      }
      self->do_read();
    });
  }

  void expire() {
    ws_.async_close(tm_close::session_expired, [self = shared_from_this()](beast::error_code) {});
  }

  void begin_reindex() {
    ws_.async_close(tm_close::reindexing, [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-close-code
  }

 private:
  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->on_read_error(ec);
        return;
      }
      self->on_message();
    });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == websocket::error::closed) {
      if (ws_.reason().code == websocket::close_code::abnormal || ws_.reason().code == websocket::close_code::no_status)
        std::clog << "tm: " << project_ << " closed without status\n";
      return;
    }
    beast::get_lowest_layer(ws_).close();
  }

  void on_message() {
    auto msg = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (msg.is_discarded() || !msg.contains("op")) {
      ws_.async_close(websocket::close_code::abnormal, [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-close-code
      return;
    }
    const auto op = msg["op"].get<std::string>();
    if (op == "open") {
      project_ = msg.value("project", "");
      if (project_.empty() || project_.find("..") != std::string::npos) {
        close_with(ws_, 403, "project not accessible"); // expect: errorshield-ws-close-code
        return;
      }
      if (store_.locked(project_)) {
        close_with(ws_, tm_close::project_locked, "project locked for review");
        return;
      }
      reply({{"op", "opened"}, {"project", project_}});
    } else if (op == "lookup") {
      reply({{"op", "matches"}, {"hits", store_.lookup(msg.value("source", ""), project_)}});
    } else if (op == "commit") {
      store_.commit({msg.value("source", ""), msg.value("target", ""), project_, msg.value("job", 0u)});
      reply({{"op", "committed"}});
    } else if (op == "bye") {
      ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {});
      return;
    } else {
      ws_.async_close({websocket::close_code::policy_error, "unknown op"}, [self = shared_from_this()](beast::error_code) {});
      return;
    }
  }

  void reply(json j) {
    out_ = j.dump();
    ws_.text(true);
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->do_read();
    });
  }

  tls_ws ws_;
  memory_store& store_;
  std::size_t seats_in_use_;
  beast::flat_buffer buffer_;
  std::string project_;
  std::string out_;
};

// Keeps track of live sessions so maintenance jobs can reach them.
class session_registry {
 public:
  void add(const std::shared_ptr<translator_session>& s) {
    std::lock_guard lk(mu_);
    sessions_.push_back(s);
  }

  // Called when the process is told to stop.
  void on_shutdown() {
    std::lock_guard lk(mu_);
    for (auto& w : sessions_)
      if (auto s = w.lock())
        drain_.push_back([s] {
          s->ws().async_close(websocket::close_code::going_away, [s](beast::error_code) {});
        });
  }

  // Called by the cert watcher before the new certificate is loaded.
  void on_certificate_rotation() {
    std::lock_guard lk(mu_);
    for (auto& w : sessions_)
      if (auto s = w.lock())
        drain_.push_back([s] {
          s->ws().async_close(websocket::close_reason(1015), [s](beast::error_code) {}); // expect: errorshield-ws-close-code
        });
  }

  void on_overload(std::size_t keep) {
    std::lock_guard lk(mu_);
    for (std::size_t i = keep; i < sessions_.size(); ++i)
      if (auto s = sessions_[i].lock())
        s->ws().async_close(websocket::close_code::try_again_later, [s](beast::error_code) {});
  }

  void reindex_all() {
    std::lock_guard lk(mu_);
    for (auto& w : sessions_)
      if (auto s = w.lock()) s->begin_reindex();
  }

  void run_drain(net::io_context& ioc) {
    std::vector<std::function<void()>> jobs;
    {
      std::lock_guard lk(mu_);
      jobs.swap(drain_);
    }
    for (auto& job : jobs) net::post(ioc, std::move(job));
  }

 private:
  std::mutex mu_;
  std::vector<std::weak_ptr<translator_session>> sessions_;
  std::vector<std::function<void()>> drain_;
};

// Review-lock notifications from the project-management UI.
class pm_channel : public std::enable_shared_from_this<pm_channel> {
 public:
  pm_channel(tcp::socket s, memory_store& store) : ws_(std::move(s)), store_(store) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(16 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto j = json::parse(beast::buffers_to_string(self->buffer_.data()), nullptr, false);
      self->buffer_.consume(self->buffer_.size());
      if (j.is_discarded()) {
        close_with(self->ws_, websocket::close_code::bad_payload, "malformed lock request");
        return;
      }
      self->store_.lock(j.value("project", ""));
      self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  memory_store& store_;
  beast::flat_buffer buffer_;
};

}  // namespace tmsrv
