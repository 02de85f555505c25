// checks: errorshield-unlocked-shared-map
// HTTP presence/session server on a multi-threaded io_context.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace presence {

struct SessionInfo {
  std::string user;
  std::string ip;
  long last_seen = 0;
};

long now_ms();

class SessionStore {
public:
  // Thread-safe API.
  void upsert(const std::string &token, SessionInfo info) {
    std::unique_lock<std::shared_mutex> lk(mu_);
    sessions_[token] = std::move(info);
  }
  void erase(const std::string &token) {
    std::unique_lock<std::shared_mutex> lk(mu_);
    sessions_.erase(token);
  }
  bool touch(const std::string &token) {
    std::unique_lock<std::shared_mutex> lk(mu_);
    return touch_locked(token);
  }
  std::size_t size() const {
    std::shared_lock<std::shared_mutex> lk(mu_);
    return sessions_.size();
  }

private:
  // Caller must hold mu_ exclusively.
  bool touch_locked(const std::string &token) {
    auto it = sessions_.find(token);
    if (it == sessions_.end())
      return false;
    it->second.last_seen = now_ms();
    return true;
  }

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, SessionInfo> sessions_;
};

// Rate-limiter state: one bucket per client IP.
struct Bucket {
  int tokens = 10;
  long refill_at = 0;
};

class Server {
public:
  Server(net::io_context &ioc, unsigned short port)
      : ioc_(ioc), acceptor_(ioc, {tcp::v4(), port}) {
    // Populated once before any thread runs; read-only afterwards.
    routes_["/login"] = 1;
    routes_["/logout"] = 2;
    routes_["/ping"] = 3;
  }

  void start() { do_accept(); }

private:
  void do_accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket sock) {
      if (!ec) {
        auto ep = sock.remote_endpoint(ec);
        std::string ip = ec ? "?" : ep.address().to_string();
        // BUG: handler runs on any of the io_context threads.
        connections_per_ip_[ip] += 1; // expect: errorshield-unlocked-shared-map
        handle(std::make_shared<tcp::socket>(std::move(sock)), ip);
      }
      do_accept();
    });
  }

  void handle(std::shared_ptr<tcp::socket> sock, std::string ip) {
    auto buf = std::make_shared<beast::flat_buffer>();
    auto req = std::make_shared<http::request<http::string_body>>();
    http::async_read(*sock, *buf, *req,
                     [this, sock, buf, req, ip](beast::error_code ec, std::size_t) {
                       if (ec) {
                         // BUG: concurrent erase from another handler thread.
                         connections_per_ip_.erase(ip); // expect: errorshield-unlocked-shared-map
                         return;
                       }
                       if (!allow(ip))
                         return;
                       dispatch(*req);
                     });
  }

  bool allow(const std::string &ip) {
    std::lock_guard<std::mutex> lk(bucket_mu_);
    Bucket &b = buckets_[ip];
    if (now_ms() > b.refill_at) {
      b.tokens = 10;
      b.refill_at = now_ms() + 1000;
    }
    return b.tokens-- > 0;
  }

  void dispatch(const http::request<http::string_body> &req) {
    auto it = routes_.find(std::string(req.target()));
    if (it == routes_.end())
      return;
    json body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded())
      return;
    std::string token = body.value("token", "");
    switch (it->second) {
    case 1:
      store_.upsert(token, SessionInfo{body.value("user", ""), "", now_ms()});
      break;
    case 2:
      store_.erase(token);
      break;
    case 3:
      store_.touch(token);
      break;
    }
  }

  net::io_context &ioc_;
  tcp::acceptor acceptor_;
  std::map<std::string, int> routes_;
  std::unordered_map<std::string, int> connections_per_ip_;
  std::mutex bucket_mu_;
  std::unordered_map<std::string, Bucket> buckets_;
  SessionStore store_;
};

// ---------------------------------------------------------------------------
// Strand-serialized statistics: all mutations go through one strand.
// ---------------------------------------------------------------------------
class Stats {
public:
  explicit Stats(net::io_context &ioc) : strand_(net::make_strand(ioc)) {}

  void record(std::string route) {
    net::post(strand_, [this, route = std::move(route)] { hits_[route]++; });
  }

  void reset() {
    net::post(strand_, [this] { hits_.clear(); });
  }

private:
  net::strand<net::io_context::executor_type> strand_;
  std::map<std::string, long> hits_;
};

// ---------------------------------------------------------------------------
// Global caches
// ---------------------------------------------------------------------------

std::unordered_map<std::string, std::string> g_user_agent_by_ip;
std::mutex g_ua_mu;
std::map<int, std::string> g_error_text;

void remember_agent(const std::string &ip, const std::string &ua) {
  std::scoped_lock lk(g_ua_mu);
  g_user_agent_by_ip[ip] = ua;
}

// Per-thread scratch map: no sharing at all.
std::string normalize_header(const std::string &h) {
  thread_local std::unordered_map<std::string, std::string> cache;
  auto it = cache.find(h);
  if (it != cache.end())
    return it->second;
  std::string out = h;
  for (auto &c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  cache.emplace(h, out);
  return out;
}

void load_error_table() {
  g_error_text[400] = "Bad Request";
  g_error_text[404] = "Not Found";
  g_error_text[429] = "Too Many Requests";
}

// BUG: worker threads record the last error seen per code into the global
// table without any lock.
void worker_loop(int worker_id) {
  for (int i = 0; i < 1000; ++i) {
    int code = 400 + (i % 30);
    g_error_text[code] = "seen by worker " + std::to_string(worker_id); // expect: errorshield-unlocked-shared-map
  }
}

} // namespace presence

int main() {
  presence::load_error_table(); // single-threaded init
  net::io_context ioc;
  presence::Server srv(ioc, 8080);
  presence::Stats stats(ioc);
  srv.start();
  stats.record("/ping");

  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&ioc] { ioc.run(); });
  std::vector<std::thread> workers;
  for (int i = 0; i < 2; ++i)
    workers.emplace_back(presence::worker_loop, i);
  for (auto &t : workers)
    t.join();
  for (auto &t : threads)
    t.join();
}
