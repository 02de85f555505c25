// checks: errorshield-ws-message-limit
// Classroom polling / live quiz: students answer from phones, the teacher
// console drives questions, a projector view shows live results.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace classpoll {

constexpr std::size_t kAnswerMax = 2 * 1024;
constexpr std::size_t kTeacherCommandMax = 64 * 1024;

struct Tally {
  std::mutex mu;
  std::map<std::string, std::map<std::string, int>> votes; // question -> option -> count

  void record(std::string const &q, std::string const &opt) {
    std::lock_guard lk(mu);
    ++votes[q][opt];
  }

  json snapshot(std::string const &q) {
    std::lock_guard lk(mu);
    return json(votes[q]);
  }
};

template <class NextLayer>
void harden(websocket::stream<NextLayer> &ws, std::size_t max_bytes) {
  ws.read_message_max(max_bytes);
  ws.auto_fragment(false);
}

// Student phone: one answer per message, tiny payloads.
class StudentSession : public std::enable_shared_from_this<StudentSession> {
public:
  StudentSession(tcp::socket sock, Tally &tally) : ws_(std::move(sock)), tally_(tally) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->ws_.read_message_max(kAnswerMax);
      self->read_answer();
    });
  }

private:
  void read_answer() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      auto msg = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (msg.is_object())
        self->tally_.record(msg.value("q", ""), msg.value("opt", ""));
      self->read_answer();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  Tally &tally_;
  beast::flat_buffer buf_;
};

// Teacher console: pushes questions, may paste images into a question.
class TeacherConsole : public std::enable_shared_from_this<TeacherConsole> {
public:
  TeacherConsole(tcp::socket sock, Tally &tally) : ws_(std::move(sock)), tally_(tally) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_command();
    });
  }

private:
  void read_command() {
    ws_.async_read(buf_, beast::bind_front_handler(&TeacherConsole::on_command, shared_from_this())); // expect: errorshield-ws-message-limit
  }

  void on_command(beast::error_code ec, std::size_t bytes) {
    if (ec)
      return;
    std::clog << "teacher command " << bytes << " bytes\n";
    auto cmd = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (cmd.value("type", "") == "show-results")
      results_ = tally_.snapshot(cmd.value("q", "")).dump();
    read_command();
  }

  websocket::stream<beast::tcp_stream> ws_;
  Tally &tally_;
  beast::flat_buffer buf_;
  std::string results_;
};

// Co-teacher console (TA): same protocol, configured through the helper.
class AssistantConsole : public std::enable_shared_from_this<AssistantConsole> {
public:
  explicit AssistantConsole(tcp::socket sock) : ws_(std::move(sock)) { harden(ws_, kTeacherCommandMax); }

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->ws_.async_read(self->buf_, [self](beast::error_code, std::size_t) {});
    });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Projector view: write-only, never reads anything from the browser.
class ProjectorView : public std::enable_shared_from_this<ProjectorView> {
public:
  explicit ProjectorView(tcp::socket sock) : ws_(std::move(sock)) {}

  void show(json const &results) {
    frame_ = results.dump();
    ws_.async_write(net::buffer(frame_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  std::string frame_;
};

// Quiz rooms with a free-text "explain your answer" box.
class FreeTextSession : public std::enable_shared_from_this<FreeTextSession> {
public:
  explicit FreeTextSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      std::clog << "free-text room, max message " << self->ws_.read_message_max() << " bytes\n";
      self->next();
    });
  }

private:
  void next() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) { // expect: errorshield-ws-message-limit
      if (ec)
        return;
      self->answers_.push_back(beast::buffers_to_string(self->buf_.data()));
      self->buf_.consume(n);
      self->next();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::vector<std::string> answers_;
};

// LMS grade sync: the school's LMS connects and streams roster updates.
net::awaitable<void> lms_roster_sync(tcp::socket sock, std::map<std::string, std::string> &roster) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer http_buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, http_buf, req, net::use_awaitable);

  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable);

  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable)); // expect: errorshield-ws-message-limit
    if (ec)
      co_return;
    auto upd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(n);
    if (upd.is_object())
      roster[upd.value("student_id", "")] = upd.value("name", "");
  }
}

// Same LMS hook on the new API version, with a cap on roster batches.
net::awaitable<void> lms_roster_sync_v2(tcp::socket sock, std::map<std::string, std::string> &roster) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.read_message_max(256 * 1024);
  co_await ws.async_accept(net::use_awaitable);

  beast::flat_buffer buf;
  while (true) {
    auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable));
    if (ec)
      break;
    for (auto const &row : json::parse(beast::buffers_to_string(buf.data()), nullptr, false))
      if (row.is_object())
        roster[row.value("student_id", "")] = row.value("name", "");
    buf.consume(n);
  }
}

} // namespace classpoll
