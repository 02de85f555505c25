// checks: errorshield-deferred-ref-capture
// Lap timing service for drone racing: gate transponder feed in, live
// leaderboard and pilot sessions out.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace laps {

// Non-template finaliser, used where the callable type would be awkward.
struct Finally {
  std::function<void()> fn;
  ~Finally() {
    if (fn) fn();
  }
};

struct Crossing {
  std::uint32_t transponder = 0;
  int gate = 0;
  std::int64_t t_us = 0;
};

class RaceState {
public:
  void open_heat(const std::string& heat) { heats_[heat]; }
  void close_heat(const std::string& heat) { heats_.erase(heat); }
  void record(const std::string& heat, const Crossing& c) { heats_[heat].push_back(c); }
  void drop_pilot(std::uint32_t transponder) { pilots_.erase(transponder); }
  void add_pilot(std::uint32_t transponder, std::string name) {
    pilots_[transponder] = std::move(name);
  }
  json leaderboard(const std::string& heat) const {
    json out = json::array();
    if (auto it = heats_.find(heat); it != heats_.end())
      for (const auto& c : it->second) out.push_back({{"tx", c.transponder}, {"gate", c.gate}});
    return out;
  }

private:
  std::map<std::string, std::vector<Crossing>> heats_;
  std::map<std::uint32_t, std::string> pilots_;
};

// Run a bracket of heats back to back; whatever heat is live when we bail
// out must be closed so the gates stop attributing crossings to it.
void run_bracket(RaceState& race, const std::vector<std::string>& bracket) {
  if (bracket.empty()) return;
  std::string heat = bracket.front();
  race.open_heat(heat);
  Finally close_live{[&] { race.close_heat(heat); }}; // expect: errorshield-deferred-ref-capture
  for (std::size_t i = 1; i < bracket.size(); ++i) {
    race.close_heat(heat);
    heat = bracket[i];
    race.open_heat(heat);
  }
}

// Qualifying: single heat, the name never changes after it is opened.
void run_qualifier(RaceState& race, const std::string& name) {
  const std::string heat = "Q-" + name;
  race.open_heat(heat);
  Finally close_live{[&] { race.close_heat(heat); }};
  race.record(heat, Crossing{0, 0, 0});
}

// Pilot sessions: the race director's console registers cleanup hooks that
// run when the event is torn down.
class EventHooks {
public:
  void on_teardown(std::function<void()> fn) { hooks_.push_back(std::move(fn)); }
  void teardown() {
    for (auto& h : hooks_) h();
    hooks_.clear();
  }

private:
  std::vector<std::function<void()>> hooks_;
};

void register_pilot(EventHooks& hooks, RaceState& race, std::uint32_t transponder,
                    std::string name) {
  race.add_pilot(transponder, std::move(name));
  hooks.on_teardown([&race, &transponder] { race.drop_pilot(transponder); }); // expect: errorshield-deferred-ref-capture
}

void register_pilot_by_value(EventHooks& hooks, RaceState& race, std::uint32_t transponder,
                             std::string name) {
  race.add_pilot(transponder, std::move(name));
  hooks.on_teardown([&race, transponder] { race.drop_pilot(transponder); });
}

// Gate feed: each timing gate streams fixed 12-byte crossing frames.
template <class Stream>
class GateFeed {
public:
  GateFeed(Stream& s, RaceState& race, std::string heat)
      : stream_(s), race_(race), heat_(std::move(heat)) {}

  void read_next() {
    std::array<unsigned char, 12> frame{};
    asio::async_read(stream_, asio::buffer(frame), [this, &frame](boost::system::error_code ec, std::size_t) { // expect: errorshield-deferred-ref-capture
      if (ec) return;
      race_.record(heat_, decode(frame));
      read_next();
    });
  }

  void read_next_member() {
    asio::async_read(stream_, asio::buffer(frame_), [this](boost::system::error_code ec, std::size_t) {
      if (ec) return;
      race_.record(heat_, decode(frame_));
      read_next_member();
    });
  }

private:
  static Crossing decode(const std::array<unsigned char, 12>& f) {
    Crossing c;
    c.transponder = f[0] | (f[1] << 8) | (f[2] << 16) | (std::uint32_t(f[3]) << 24);
    c.gate = f[4];
    for (int i = 0; i < 7; ++i) c.t_us |= std::int64_t(f[5 + i]) << (8 * i);
    return c;
  }

  Stream& stream_;
  RaceState& race_;
  std::string heat_;
  std::array<unsigned char, 12> frame_{};
};

// Leaderboard broadcast is serialised on a strand.
class Broadcaster : public std::enable_shared_from_this<Broadcaster> {
public:
  explicit Broadcaster(asio::io_context& ioc, RaceState& race) : strand_(asio::make_strand(ioc)), race_(race) {}

  void publish(const std::string& heat_name) {
    std::string heat = heat_name;
    asio::post(strand_, [self = shared_from_this(), &heat] { // expect: errorshield-deferred-ref-capture
      self->last_ = self->race_.leaderboard(heat).dump();
    });
  }

  void publish_owned(const std::string& heat_name) {
    asio::post(strand_, [self = shared_from_this(), heat = heat_name] {
      self->last_ = self->race_.leaderboard(heat).dump();
    });
  }

  // RaceState outlives every broadcaster, so holding it by reference is fine.
  void publish_all(RaceState& race, const std::vector<std::string>& heats) {
    asio::post(strand_, [self = shared_from_this(), &race, heats] {
      for (const auto& h : heats) self->last_ = race.leaderboard(h).dump();
    });
  }

private:
  asio::strand<asio::io_context::executor_type> strand_;
  RaceState& race_;
  std::string last_;
};

// Penalty timer: a pilot who misses a gate gets a 2s penalty that is
// cleared when they re-cross.
void arm_penalty(asio::steady_timer& timer, RaceState& race, std::uint32_t transponder) {
  std::uint32_t target = transponder;
  timer.expires_after(2s);
  timer.async_wait([&](boost::system::error_code ec) { // expect: errorshield-deferred-ref-capture
    if (!ec) race.drop_pilot(target);
  });
  target = 0;
}

// Offline replay of a recorded session: runs its own io_context to
// completion before returning.
std::size_t replay(RaceState& race, const std::vector<Crossing>& log) {
  asio::io_context local;
  std::size_t applied = 0;
  std::string heat = "replay";
  race.open_heat(heat);
  for (const auto& c : log)
    asio::post(local, [&race, &heat, &applied, c] {
      race.record(heat, c);
      ++applied;
    });
  local.run();
  return applied;
}

} // namespace laps

int main(int argc, char**) {
  asio::io_context ioc;
  laps::RaceState race;
  laps::EventHooks hooks;
  laps::register_pilot_by_value(hooks, race, 0x1001, "Kestrel");
  laps::run_qualifier(race, "open");
  auto bc = std::make_shared<laps::Broadcaster>(ioc, race);
  bc->publish_owned("Q-open");
  tcp::socket gate_link(ioc);
  laps::GateFeed<tcp::socket> feed(gate_link, race, "Q-open");
  if (argc > 1)
    feed.read_next();
  else
    feed.read_next_member();
  ioc.run();
  hooks.teardown();
  return 0;
}
