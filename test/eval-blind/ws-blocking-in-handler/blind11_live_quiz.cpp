// checks: errorshield-ws-blocking-in-handler
// Live quiz server for virtual classrooms: students answer over WebSocket, the
// teacher's dashboard gets a leaderboard push after every round.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace quiz {

struct Question {
  int id = 0;
  std::string text;
  std::vector<std::string> choices;
  int correct = 0;
};

// Appends one line to the answer audit log (grading disputes are settled from it).
inline void append_answer_log(const std::string &path, const std::string &line) {
  std::ofstream out(path, std::ios::app);
  out << line << '\n';
  out.flush();
}

// Loaded once at startup, before the io_context runs.
inline std::vector<Question> load_question_bank(const std::string &path) {
  std::ifstream in(path); // OK: startup, not in a handler
  json j = json::parse(in);
  std::vector<Question> qs;
  for (auto &q : j.at("questions"))
    qs.push_back({q.at("id").get<int>(), q.at("text").get<std::string>(),
                  q.at("choices").get<std::vector<std::string>>(), q.at("correct").get<int>()});
  return qs;
}

class Room;

class Student : public std::enable_shared_from_this<Student> {
public:
  Student(tcp::socket s, Room &room, std::string id)
      : ws_(std::move(s)), room_(room), id_(std::move(id)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_next();
    });
  }

  websocket::stream<beast::tcp_stream> &ws() { return ws_; }
  const std::string &id() const { return id_; }
  int score = 0;

private:
  void read_next() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_answer(ec);
    });
  }
  void on_answer(beast::error_code ec);

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  Room &room_;
  std::string id_;
};

class Room {
public:
  Room(net::io_context &ioc, net::thread_pool &disk, std::vector<Question> qs)
      : ioc_(ioc), disk_(disk), questions_(std::move(qs)), round_timer_(ioc) {}

  void join(std::shared_ptr<Student> s) { students_.insert(std::move(s)); }

  // Called from Student::on_answer (a completion handler on the io_context).
  void record_answer(Student &s, const json &msg) {
    const int qid = msg.at("q").get<int>();
    const int pick = msg.at("pick").get<int>();
    if (qid != current().id) return;
    if (pick == current().correct) s.score += 10;

    std::string line = json{{"student", s.id()}, {"q", qid}, {"pick", pick}}.dump();
    append_answer_log(audit_path_, line); // expect: errorshield-ws-blocking-in-handler
  }

  // Same record, but the disk write goes to the dedicated pool.
  void record_answer_async(Student &s, const json &msg) {
    std::string line = json{{"student", s.id()}, {"q", msg.at("q")}, {"pick", msg.at("pick")}}.dump();
    net::post(disk_, [path = audit_path_, line] {
      append_answer_log(path, line); // OK: runs on the disk pool
    });
  }

  void start_round() {
    round_timer_.expires_after(std::chrono::seconds(20));
    round_timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      end_round();
    });
  }

  void set_on_round_end(std::function<void()> f) { on_round_end_ = std::move(f); }

  // Teacher tools: slow reveal so the class can read the explanation.
  void install_default_hooks() {
    on_round_end_ = [this] {
      std::this_thread::sleep_for(std::chrono::seconds(3)); // expect: errorshield-ws-blocking-in-handler
      ++round_;
    };
  }

  void install_timer_hooks() {
    on_round_end_ = [this] {
      auto t = std::make_shared<net::steady_timer>(ioc_, 3s);
      t->async_wait([this, t](beast::error_code) { ++round_; }); // OK: non-blocking pause
    };
  }

  void end_round() {
    if (on_round_end_) on_round_end_();
    net::co_spawn(ioc_, push_leaderboard(), net::detached);
    if (round_ < questions_.size()) start_round();
  }

  net::awaitable<void> push_leaderboard() {
    json board = json::array();
    for (auto &s : students_) board.push_back({{"id", s->id()}, {"score", s->score}});
    std::string text = board.dump();
    for (auto &s : students_) {
      if (s->id().rfind("teacher-", 0) == 0) {
        s->ws().text(true);
        s->ws().write(net::buffer(text)); // expect: errorshield-ws-blocking-in-handler
      } else {
        co_await s->ws().async_write(net::buffer(text), net::use_awaitable); // OK
      }
    }
  }

  // Re-reads the per-class overrides file when an admin pokes the room.
  net::awaitable<void> reload_overrides(std::string path) {
    std::ifstream in(path); // expect: errorshield-ws-blocking-in-handler
    json j = json::parse(in, nullptr, false);
    if (!j.is_discarded()) overrides_ = j;
    co_return;
  }

  net::awaitable<void> reload_overrides_offloaded(std::string path) {
    auto j = co_await net::co_spawn(
        disk_,
        [path]() -> net::awaitable<json> {
          std::ifstream in(path); // OK: runs on the disk pool
          co_return json::parse(in, nullptr, false);
        },
        net::use_awaitable);
    if (!j.is_discarded()) overrides_ = j;
  }

  const Question &current() const { return questions_.at(round_ % questions_.size()); }

private:
  net::io_context &ioc_;
  net::thread_pool &disk_;
  std::vector<Question> questions_;
  std::set<std::shared_ptr<Student>> students_;
  net::steady_timer round_timer_;
  std::function<void()> on_round_end_;
  std::size_t round_ = 0;
  json overrides_;
  std::string audit_path_ = "/var/lib/quiz/answers.log";
};

inline void Student::on_answer(beast::error_code ec) {
  if (ec) return;
  auto msg = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
  buf_.consume(buf_.size());
  if (msg.is_discarded()) {
    std::this_thread::sleep_for(50ms); // expect: errorshield-ws-blocking-in-handler
    return read_next();
  }
  if (msg.value("async_log", true))
    room_.record_answer_async(*this, msg);
  else
    room_.record_answer(*this, msg);
  read_next();
}

// Metrics flusher: its own thread, never touches the io_context.
inline std::thread start_metrics_thread(std::atomic<bool> &stop, const std::string &path) {
  return std::thread([&stop, path] {
    while (!stop) {
      std::this_thread::sleep_for(10s); // OK: dedicated thread
      append_answer_log(path, "heartbeat");
    }
  });
}

} // namespace quiz
