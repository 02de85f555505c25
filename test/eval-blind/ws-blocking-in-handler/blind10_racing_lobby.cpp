// checks: errorshield-ws-blocking-in-handler
// Racing game server: players stream car state over WebSocket, the server
// relays it to the others in the race and records lap times.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace race {

struct TrackData {
  std::string name;
  std::vector<float> checkpoints;
};

// Reads a track file from disk. Called at startup for the default rotation and
// on demand when a lobby votes for a different track.
TrackData load_track(const std::string& name) {
  std::ifstream in("/srv/race/tracks/" + name + ".trk");
  TrackData t{name, {}};
  float cp;
  while (in >> cp) t.checkpoints.push_back(cp);
  return t;
}

class Race;

class Driver : public std::enable_shared_from_this<Driver> {
 public:
  Driver(tcp::socket s, Race& race) : ws_(std::move(s)), race_(race) {}
  void start();
  void send_state(const std::string& state);
  websocket::stream<beast::tcp_stream>& ws() { return ws_; }
  int id = 0;
  std::chrono::steady_clock::time_point last_msg{};

 private:
  void do_read();
  void on_read(beast::error_code ec, std::size_t n);

  websocket::stream<beast::tcp_stream> ws_;
  Race& race_;
  beast::flat_buffer buf_;
  std::vector<std::shared_ptr<std::string>> outq_;
};

class Race {
 public:
  Race(asio::io_context& ioc, sqlite3* db)
      : ioc_(ioc), db_(db), tick_(ioc), bg_(2) {}

  void begin(const std::string& track_name) {
    track_ = load_track(track_name);  // before ioc.run(): fine
    arm_tick();
  }

  void add(std::shared_ptr<Driver> d) { drivers_.push_back(std::move(d)); }

  void relay(Driver& from, const std::string& state) {
    for (auto& d : drivers_) {
      if (d.get() == &from) continue;
      d->ws().text(true);
      d->ws().write(asio::buffer(state)); // expect: errorshield-ws-blocking-in-handler
    }
  }

  void relay_async(Driver& from, const std::string& state) {
    for (auto& d : drivers_)
      if (d.get() != &from) d->send_state(state);
  }

  void record_lap(int driver_id, double lap_ms) {
    std::ostringstream sql;
    sql << "INSERT INTO laps(driver, ms) VALUES(" << driver_id << "," << lap_ms << ")";
    sqlite3_exec(db_, sql.str().c_str(), nullptr, nullptr, nullptr); // expect: errorshield-ws-blocking-in-handler
  }

  // Personal bests go through the background pool: the DB write never runs on
  // an io_context thread.
  void record_personal_best(int driver_id, double lap_ms) {
    asio::post(bg_, [db = db_, driver_id, lap_ms] {
      std::ostringstream sql;
      sql << "INSERT OR REPLACE INTO pb(driver, ms) VALUES(" << driver_id << "," << lap_ms << ")";
      sqlite3_exec(db, sql.str().c_str(), nullptr, nullptr, nullptr);
    });
  }

  void vote_track(const std::string& name) {
    asio::post(ioc_, [this, name] {
      track_ = load_track(name); // expect: errorshield-ws-blocking-in-handler
      for (auto& d : drivers_) d->send_state(json{{"type", "track"}, {"name", name}}.dump());
    });
  }

  void preload_track_async(const std::string& name) {
    asio::post(bg_, [this, name] {
      auto t = load_track(name);
      asio::post(ioc_, [this, t = std::move(t)]() mutable { track_ = std::move(t); });
    });
  }

  const TrackData& track() const { return track_; }

 private:
  void arm_tick() {
    tick_.expires_after(std::chrono::milliseconds(50));
    tick_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      auto now = std::chrono::steady_clock::now();
      for (auto& d : drivers_) {
        if (now - d->last_msg > std::chrono::seconds(3)) {
          // give a lagging client a moment before declaring it gone
          std::this_thread::sleep_for(std::chrono::milliseconds(250)); // expect: errorshield-ws-blocking-in-handler
        }
      }
      arm_tick();
    });
  }

  asio::io_context& ioc_;
  sqlite3* db_;
  asio::steady_timer tick_;
  asio::thread_pool bg_;
  TrackData track_;
  std::vector<std::shared_ptr<Driver>> drivers_;
};

void Driver::start() {
  ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
    if (ec) return;
    self->do_read();
  });
}

void Driver::send_state(const std::string& state) {
  auto msg = std::make_shared<std::string>(state);
  outq_.push_back(msg);
  if (outq_.size() > 1) return;
  ws_.async_write(asio::buffer(*msg), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) return;
    self->outq_.erase(self->outq_.begin());
  });
}

void Driver::do_read() {
  ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    self->on_read(ec, n);
  });
}

void Driver::on_read(beast::error_code ec, std::size_t) {
  if (ec) return;
  last_msg = std::chrono::steady_clock::now();
  auto text = beast::buffers_to_string(buf_.data());
  buf_.consume(buf_.size());
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded()) {
    do_read();
    return;
  }
  const auto type = j.value("type", "");
  if (type == "state") {
    if (j.value("reliable", false))
      race_.relay(*this, text);
    else
      race_.relay_async(*this, text);
  } else if (type == "lap") {
    race_.record_lap(id, j.value("ms", 0.0));
    if (j.value("pb", false)) race_.record_personal_best(id, j.value("ms", 0.0));
  } else if (type == "replay") {
    // Ghost-car upload for the replay viewer.
    std::ofstream("/srv/race/replays/" + std::to_string(id) + ".ghost", std::ios::app) << j.dump() << '\n'; // expect: errorshield-ws-blocking-in-handler
  } else if (type == "vote") {
    race_.vote_track(j.value("track", "oval"));
  }
  do_read();
}

// Startup: opens the DB and seeds the rotation before any handler runs.
int run_server(unsigned short port) {
  sqlite3* db = nullptr;
  if (sqlite3_open("/srv/race/laps.db", &db) != SQLITE_OK) return 1;
  sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS laps(driver INT, ms REAL)", nullptr, nullptr, nullptr);

  asio::io_context ioc;
  Race race(ioc, db);
  race.begin("monza");

  tcp::acceptor acc(ioc, {tcp::v4(), port});
  int next_id = 1;
  std::function<void()> accept_one = [&] {
    acc.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        auto d = std::make_shared<Driver>(std::move(s), race);
        d->id = next_id++;
        race.add(d);
        d->start();
      }
      accept_one();
    });
  };
  accept_one();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let the matchmaker register us
  ioc.run();
  sqlite3_close(db);
  return 0;
}

}  // namespace race
