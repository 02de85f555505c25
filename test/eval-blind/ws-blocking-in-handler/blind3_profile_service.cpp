// checks: errorshield-ws-blocking-in-handler
// User-profile websocket service: sessions look up profiles in Postgres and a
// Redis cache, avatars are served from disk.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <hiredis/hiredis.h>
#include <nlohmann/json.hpp>
#include <postgresql/libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Services {
  PGconn *pg = nullptr;
  redisContext *redis = nullptr;
  net::thread_pool blocking_pool{4};
  std::mutex mtx;
  std::condition_variable cv;
  bool warm = false;
};

static std::string load_profile_row(PGconn *pg, const std::string &uid) {
  const char *params[1] = {uid.c_str()};
  PGresult *r = PQexecParams(pg, "SELECT body FROM profiles WHERE id=$1", 1,
                             nullptr, params, nullptr, nullptr, 0);
  std::string body;
  if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
    body = PQgetvalue(r, 0, 0);
  PQclear(r);
  return body;
}

class ProfileSession : public std::enable_shared_from_this<ProfileSession> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  Services &svc_;
  std::string out_;
  std::chrono::steady_clock::time_point last_{};

public:
  ProfileSession(tcp::socket &&s, Services &svc)
      : ws_(std::move(s)), svc_(svc) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

  void do_read() {
    ws_.async_read(buf_, beast::bind_front_handler(&ProfileSession::on_read,
                                                   shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    auto req = nlohmann::json::parse(beast::buffers_to_string(buf_.data()));
    buf_.consume(buf_.size());

    // crude rate limiting
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(20))
      std::this_thread::sleep_for(std::chrono::milliseconds(20)); // expect: errorshield-ws-blocking-in-handler
    last_ = now;

    const std::string op = req.value("op", "");
    const std::string uid = req.value("uid", "");
    if (op == "get") {
      // cache first
      auto *reply = static_cast<redisReply *>(
          redisCommand(svc_.redis, "GET profile:%s", uid.c_str())); // expect: errorshield-ws-blocking-in-handler
      if (reply && reply->type == REDIS_REPLY_STRING) {
        out_.assign(reply->str, reply->len);
        freeReplyObject(reply);
        return write_out();
      }
      if (reply) freeReplyObject(reply);
      out_ = load_profile_row(svc_.pg, uid); // expect: errorshield-ws-blocking-in-handler
      return write_out();
    }
    if (op == "get_async") {
      // correct: DB work goes to the blocking pool, result comes back on
      // the session's executor
      net::post(svc_.blocking_pool, [self = shared_from_this(), uid] {
        std::string body = load_profile_row(self->svc_.pg, uid);
        net::post(self->ws_.get_executor(), [self, body = std::move(body)] {
          self->out_ = body;
          self->write_out();
        });
      });
      return do_read();
    }
    if (op == "avatar") {
      std::ifstream f("/var/lib/profiles/avatars/" + uid + ".png",
                      std::ios::binary);
      std::stringstream ss;
      ss << f.rdbuf(); // expect: errorshield-ws-blocking-in-handler
      out_ = ss.str();
      ws_.binary(true);
      return write_out();
    }
    if (op == "wait_warm") {
      std::unique_lock<std::mutex> lk(svc_.mtx);
      svc_.cv.wait(lk, [this] { return svc_.warm; }); // expect: errorshield-ws-blocking-in-handler
      out_ = R"({"warm":true})";
      return write_out();
    }
    if (op == "score") {
      auto fut = std::async(std::launch::async, [uid] { return uid.size() * 7; });
      out_ = std::to_string(fut.get()); // expect: errorshield-ws-blocking-in-handler
      return write_out();
    }
    if (op == "stats") {
      // short critical section, not a blocking wait
      std::lock_guard<std::mutex> lk(svc_.mtx);
      out_ = svc_.warm ? "warm" : "cold";
      return write_out();
    }
    do_read();
  }

  void write_out() {
    ws_.async_write(net::buffer(out_),
                    [self = shared_from_this()](beast::error_code ec,
                                                std::size_t) {
                      if (!ec) self->do_read();
                    });
  }
};

// Webhook notifier: handler connects to a partner synchronously.
void notify_partner(net::io_context &ioc, tcp::socket &client) {
  auto buf = std::make_shared<std::array<char, 512>>();
  client.async_read_some(
      net::buffer(*buf), [&ioc, buf](beast::error_code ec, std::size_t n) {
        if (ec) return;
        tcp::resolver resolver(ioc);
        auto eps = resolver.resolve("hooks.partner.example", "80"); // expect: errorshield-ws-blocking-in-handler
        tcp::socket out(ioc);
        net::connect(out, eps); // expect: errorshield-ws-blocking-in-handler
        net::write(out, net::buffer(buf->data(), n)); // expect: errorshield-ws-blocking-in-handler
      });
}

// Correct counterpart: fully asynchronous chain.
void notify_partner_async(net::io_context &ioc, std::string payload) {
  auto resolver = std::make_shared<tcp::resolver>(ioc);
  auto sock = std::make_shared<tcp::socket>(ioc);
  auto data = std::make_shared<std::string>(std::move(payload));
  resolver->async_resolve(
      "hooks.partner.example", "80",
      [resolver, sock, data](beast::error_code ec,
                             tcp::resolver::results_type eps) {
        if (ec) return;
        net::async_connect(*sock, eps,
                           [sock, data](beast::error_code ec, tcp::endpoint) {
                             if (ec) return;
                             net::async_write(*sock, net::buffer(*data),
                                              [sock, data](beast::error_code,
                                                           std::size_t) {});
                           });
      });
}

// Cache warmer runs on its own std::thread, not on the io_context: blocking OK.
void warm_cache(Services &svc) {
  std::this_thread::sleep_for(std::chrono::seconds(2));
  PGresult *r = PQexec(svc.pg, "SELECT id, body FROM profiles LIMIT 1000");
  PQclear(r);
  {
    std::lock_guard<std::mutex> lk(svc.mtx);
    svc.warm = true;
  }
  svc.cv.notify_all();
}

int main() {
  Services svc;
  svc.pg = PQconnectdb("dbname=profiles"); // startup, before ioc.run()
  svc.redis = redisConnect("127.0.0.1", 6379);

  std::ifstream cfg("/etc/profiles.json"); // startup config read
  nlohmann::json conf = nlohmann::json::parse(cfg);

  net::io_context ioc;
  tcp::resolver res(ioc);
  auto bind_eps = res.resolve(conf.value("bind", "0.0.0.0"), "9100");
  tcp::acceptor acc(ioc, *bind_eps.begin());

  std::thread warmer(warm_cache, std::ref(svc));

  std::function<void()> accept_loop = [&] {
    acc.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<ProfileSession>(std::move(s), svc)->start();
      accept_loop();
    });
  };
  accept_loop();
  ioc.run();
  warmer.join();
  svc.blocking_pool.join();
}
