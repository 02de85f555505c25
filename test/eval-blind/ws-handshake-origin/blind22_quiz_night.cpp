// checks: errorshield-ws-handshake-origin
// Pub quiz night: live answer submission.
// Teams answer on their phones (browser page served from quiz.thecrownpub.example),
// the quizmaster's laptop shows answers as they arrive.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <array>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using json = nlohmann::json;

namespace quiz {

constexpr std::array<std::string_view, 2> kAllowedOrigins = {
    "https://quiz.thecrownpub.example", "https://quizmaster.thecrownpub.example"};

bool origin_allowed(const http::request<http::string_body> &req) {
  auto it = req.find(http::field::origin);
  if (it == req.end())
    return false;
  std::string_view origin(it->value().data(), it->value().size());
  for (auto allowed : kAllowedOrigins)
    if (origin == allowed)
      return true;
  return false;
}

struct Answer {
  std::string team;
  int round = 0;
  int question = 0;
  std::string text;
};

class AnswerBoard {
public:
  void submit(const Answer &a) {
    std::lock_guard<std::mutex> lk(mu_);
    answers_.push_back(a);
  }
  std::size_t count() {
    std::lock_guard<std::mutex> lk(mu_);
    return answers_.size();
  }

private:
  std::mutex mu_;
  std::vector<Answer> answers_;
};

AnswerBoard g_board;

Answer parse_answer(const std::string &s) {
  auto j = json::parse(s, nullptr, false);
  Answer a;
  if (!j.is_object())
    return a;
  a.team = j.value("team", "");
  a.round = j.value("round", 0);
  a.question = j.value("q", 0);
  a.text = j.value("answer", "");
  return a;
}

void send_forbidden(tcp::socket &sock, unsigned version) {
  http::response<http::string_body> res{http::status::forbidden, version};
  res.body() = "origin not allowed";
  res.prepare_payload();
  beast::error_code ec;
  http::write(sock, res, ec);
}

// Team phones: callback-style session.
class TeamSession : public std::enable_shared_from_this<TeamSession> {
public:
  explicit TeamSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (!ec)
        self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      g_board.submit(parse_answer(beast::buffers_to_string(self->buf_.data())));
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Team phones, v2: read the upgrade request first so we can vet it.
class CheckedTeamSession : public std::enable_shared_from_this<CheckedTeamSession> {
public:
  explicit CheckedTeamSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    http::async_read(beast::get_lowest_layer(ws_), buf_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec || !websocket::is_upgrade(self->req_))
                         return;
                       if (!origin_allowed(self->req_)) {
                         send_forbidden(beast::get_lowest_layer(self->ws_).socket(),
                                        self->req_.version());
                         return;
                       }
                       self->ws_.async_accept(self->req_, [self](beast::error_code ec2) {
                         if (!ec2)
                           self->buf_.consume(self->buf_.size());
                       });
                     });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
};

// Scoreboard projector: read the request and decorate the response,
// but hand it straight to accept.
awaitable<void> scoreboard_session(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(sock, buf, req, use_awaitable);
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
    res.set(http::field::server, "crown-quiz/2.1");
  }));
  co_await ws.async_accept(req, use_awaitable); // expect: errorshield-ws-handshake-origin
  for (;;) {
    beast::flat_buffer msg;
    co_await ws.async_read(msg, use_awaitable);
    ws.text(true);
    co_await ws.async_write(asio::buffer(std::to_string(g_board.count())), use_awaitable);
  }
}

// Quizmaster laptop: coroutine, origin vetted before the upgrade.
awaitable<void> quizmaster_session(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(sock, buf, req, use_awaitable);
  if (!websocket::is_upgrade(req) || !origin_allowed(req)) {
    send_forbidden(sock, req.version());
    co_return;
  }
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(req, use_awaitable);
  for (;;) {
    beast::flat_buffer msg;
    co_await ws.async_read(msg, use_awaitable);
  }
}

// Backup buzzer box in the back room: blocking, one thread, accepts anything.
void buzzer_loop(asio::io_context &ioc, unsigned short port) {
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  for (;;) {
    tcp::socket s = acc.accept();
    websocket::stream<tcp::socket> ws(std::move(s));
    beast::error_code ec;
    ws.accept(ec); // expect: errorshield-ws-handshake-origin
    if (ec)
      continue;
    beast::flat_buffer b;
    ws.read(b, ec);
  }
}

// Generic helper shared by the TLS and plain listeners.
template <class WsStream>
awaitable<void> accept_any(WsStream &ws, http::request<http::string_body> &req) {
  co_await ws.async_accept(req, use_awaitable); // expect: errorshield-ws-handshake-origin
}

template <class WsStream>
awaitable<bool> accept_vetted(WsStream &ws, http::request<http::string_body> &req) {
  if (!origin_allowed(req))
    co_return false;
  co_await ws.async_accept(req, use_awaitable);
  co_return true;
}

awaitable<void> hint_session(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(sock, buf, req, use_awaitable);
  websocket::stream<tcp::socket> ws(std::move(sock));
  if (req.target() == "/hints/legacy")
    co_await accept_any(ws, req);
  else if (!co_await accept_vetted(ws, req))
    co_return;
}

// Pushes final scores to the league's central server; we are the client here.
awaitable<void> push_to_league(std::string host, std::string scores) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  websocket::stream<beast::tcp_stream> ws(ex);
  auto results = co_await resolver.async_resolve(host, "80", use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(results, use_awaitable);
  co_await ws.async_handshake(host, "/league/scores", use_awaitable);
  co_await ws.async_write(asio::buffer(scores), use_awaitable);
  co_await ws.async_close(websocket::close_code::normal, use_awaitable);
}

awaitable<void> listen(tcp::acceptor acc) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(use_awaitable);
    auto port = acc.local_endpoint().port();
    if (port == 9001)
      std::make_shared<TeamSession>(std::move(s))->run();
    else if (port == 9002)
      std::make_shared<CheckedTeamSession>(std::move(s))->run();
    else if (port == 9003)
      asio::co_spawn(acc.get_executor(), scoreboard_session(std::move(s)), asio::detached);
    else if (port == 9004)
      asio::co_spawn(acc.get_executor(), hint_session(std::move(s)), asio::detached);
    else
      asio::co_spawn(acc.get_executor(), quizmaster_session(std::move(s)), asio::detached);
  }
}

} // namespace quiz

int main() {
  asio::io_context ioc;
  for (unsigned short p : {9001, 9002, 9003, 9004, 9005})
    asio::co_spawn(ioc, quiz::listen(tcp::acceptor(ioc, {tcp::v4(), p})), asio::detached);
  std::thread buzzer([] {
    asio::io_context local;
    quiz::buzzer_loop(local, 9010);
  });
  asio::co_spawn(ioc, quiz::push_to_league("league.example", "{}"), asio::detached);
  ioc.run();
  buzzer.join();
}
