// checks: errorshield-deferred-ref-capture
// Karting timing server: receives transponder passings from the loop decoder,
// keeps heats, lap records and penalties, and pushes the live board over TCP.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
using json = nlohmann::json;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace karting {

template <class F>
struct OnExit {
  F fn;
  ~OnExit() { fn(); }
};
template <class F>
OnExit<F> on_exit(F fn) {
  return OnExit<F>{std::move(fn)};
}

struct Passing {
  std::uint32_t transponder = 0;
  std::int64_t rtc_us = 0;  // decoder clock, microseconds
  int loop_id = 0;
};

struct LapRecord {
  int kart_no = 0;
  std::string driver;
  std::int64_t lap_us = 0;
};

struct Heat {
  std::string id;
  std::vector<int> grid;
  std::map<int, std::vector<std::int64_t>> laps;  // kart -> lap times
  std::vector<std::function<void()>> on_chequered;
  bool running = false;

  void close() { running = false; }
};

class KartPool {
 public:
  int reserve(int preferred) {
    if (preferred > 0 && !taken_.contains(preferred)) {
      taken_[preferred] = true;
      return preferred;
    }
    for (int k = 1; k <= 24; ++k) {
      if (!taken_.contains(k)) {
        taken_[k] = true;
        return k;
      }
    }
    return 0;
  }
  void release(int kart_no) { taken_.erase(kart_no); }
  bool fault_reported(int kart_no) const { return faults_.contains(kart_no); }
  void report_fault(int kart_no) { faults_[kart_no] = true; }

 private:
  std::map<int, bool> taken_;
  std::map<int, bool> faults_;
};

// Runs `fn` once after `delay` on `ex`. The timer keeps itself alive until
// the handler has run.
template <class Executor, class Fn>
void run_later(Executor ex, std::chrono::milliseconds delay, Fn fn) {
  auto t = std::make_shared<asio::steady_timer>(ex, delay);
  t->async_wait([t, fn = std::move(fn)](const beast::error_code& ec) mutable {
    if (!ec) fn();
  });
}

class TimingServer : public std::enable_shared_from_this<TimingServer> {
 public:
  TimingServer(asio::io_context& ioc, KartPool& pool)
      : strand_(asio::make_strand(ioc)), pool_(pool), board_timer_(strand_) {}

  void load_transponder_map(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      auto sep = line.find('=');
      if (sep == std::string::npos) continue;
      // One-line scope: the guard fires before `line` is read again.
      auto count = on_exit([&] { ++config_lines_; });
      transponders_[static_cast<std::uint32_t>(std::stoul(line.substr(0, sep)))] =
          std::stoi(line.substr(sep + 1));
    }
  }

  // Puts a driver in a kart for the heat. A kart with a reported fault is
  // swapped for the next free one; whatever is held gets released if the
  // grid slot is taken.
  bool seat_driver(Heat& heat, int slot, int preferred_kart) {
    int kart_no = pool_.reserve(preferred_kart);
    if (kart_no == 0) return false;
    auto unwind = on_exit([&] {  // expect: errorshield-deferred-ref-capture
      if (!heat.running && heat.grid[slot] != kart_no) pool_.release(kart_no);
    });
    if (pool_.fault_reported(kart_no)) {
      kart_no = pool_.reserve(0);
      if (kart_no == 0) return false;
    }
    if (slot < 0 || static_cast<std::size_t>(slot) >= heat.grid.size()) return false;
    if (heat.grid[slot] != 0) return false;
    heat.grid[slot] = kart_no;
    return true;
  }

  void release_grid(Heat& heat) {
    for (int& kart_no : heat.grid) {
      auto done = on_exit([&] { kart_no = 0; });
      if (kart_no != 0) pool_.release(kart_no);
    }
  }

  // Drivers get their best lap read out when the chequered flag drops.
  void arm_podium_calls(Heat& heat, const std::vector<LapRecord>& bests) {
    for (LapRecord rec : bests) {
      rec.driver += " (#" + std::to_string(rec.kart_no) + ")";
      heat.on_chequered.push_back([this, &rec] { announce(rec); });  // expect: errorshield-deferred-ref-capture
    }
  }

  void arm_results_export(Heat& heat) {
    heat.on_chequered.push_back([this, &heat] { export_results(heat); });
  }

  void chequered_flag(Heat& heat) {
    heat.running = false;
    auto hooks = std::move(heat.on_chequered);
    for (auto& h : hooks) h();
  }

  // A kart crossing the pit-lane loop during a stop-and-go gets its lap
  // voided after the review window.
  void on_passing(const Passing& p) {
    auto kart = transponders_.find(p.transponder);
    if (kart == transponders_.end() || !current_heat_) return;

    std::int64_t lap_us = p.rtc_us - last_seen_[p.transponder];
    last_seen_[p.transponder] = p.rtc_us;
    current_heat_->laps[kart->second].push_back(lap_us);

    if (p.loop_id == kPitLoop && penalised_.contains(kart->second)) {
      LapRecord voided{kart->second, "", lap_us};
      run_later(strand_, 10s, [&voided, this] { void_lap(voided); });  // expect: errorshield-deferred-ref-capture
    }
  }

  void on_passing_reviewed(const Passing& p, int kart_no) {
    run_later(strand_, 10s, [self = shared_from_this(), kart_no, us = p.rtc_us] {
      self->void_lap(LapRecord{kart_no, "", us});
    });
  }

  // Closes the heat after the last-lap grace period.
  void start_grace_period(std::chrono::seconds grace) {
    Heat* heat = current_heat_.get();
    if (!heat) return;
    auto timer = std::make_shared<asio::steady_timer>(strand_, grace);
    timer->async_wait([&heat, timer](const beast::error_code& ec) {  // expect: errorshield-deferred-ref-capture
      if (!ec) heat->close();
    });
  }

  void start_grace_period_for(std::shared_ptr<Heat> heat, std::chrono::seconds grace) {
    auto timer = std::make_shared<asio::steady_timer>(strand_, grace);
    timer->async_wait([heat, timer](const beast::error_code& ec) {
      if (!ec) heat->close();
    });
  }

  // Live board refresh. `board_timer_` and `lap_records_` both belong to this
  // object, which the handler keeps alive through `self`.
  void schedule_board() {
    board_timer_.expires_after(500ms);
    board_timer_.async_wait(
        [self = shared_from_this(), &records = lap_records_](const beast::error_code& ec) {
          if (ec) return;
          self->publish_board(records);
          self->schedule_board();
        });
  }

  void count_reconnect() {
    static std::atomic<int> reconnects{0};
    asio::post(strand_, [&] { reconnects.fetch_add(1, std::memory_order_relaxed); });
  }

  std::vector<LapRecord> top_laps(std::size_t n) const {
    std::vector<LapRecord> out = lap_records_;
    const auto cutoff = std::min(n, out.size());
    std::partial_sort(out.begin(), out.begin() + cutoff, out.end(),
                      [&](const LapRecord& a, const LapRecord& b) { return a.lap_us < b.lap_us; });
    out.resize(cutoff);
    return out;
  }

  void start_heat(std::shared_ptr<Heat> heat) {
    heat->running = true;
    current_heat_ = std::move(heat);
  }

  void penalise(int kart_no) { penalised_[kart_no] = true; }

 private:
  static constexpr int kPitLoop = 2;

  void announce(const LapRecord& rec) {
    json msg{{"type", "podium"}, {"driver", rec.driver}, {"lap_us", rec.lap_us}};
    outbox_.push_back(msg.dump());
  }

  void void_lap(const LapRecord& rec) {
    if (!current_heat_) return;
    auto& laps = current_heat_->laps[rec.kart_no];
    std::erase(laps, rec.lap_us);
  }

  void export_results(const Heat& heat) {
    json out{{"heat", heat.id}, {"laps", json::object()}};
    for (const auto& [kart, times] : heat.laps) out["laps"][std::to_string(kart)] = times;
    outbox_.push_back(out.dump());
  }

  void publish_board(const std::vector<LapRecord>& records) {
    json board = json::array();
    for (const auto& r : records) board.push_back({{"kart", r.kart_no}, {"lap_us", r.lap_us}});
    outbox_.push_back(board.dump());
    if (outbox_.size() > 256) outbox_.pop_front();
  }

  asio::strand<asio::io_context::executor_type> strand_;
  KartPool& pool_;
  asio::steady_timer board_timer_;
  std::shared_ptr<Heat> current_heat_;
  std::map<std::uint32_t, int> transponders_;
  std::map<std::uint32_t, std::int64_t> last_seen_;
  std::map<int, bool> penalised_;
  std::vector<LapRecord> lap_records_;
  std::deque<std::string> outbox_;
  int config_lines_ = 0;
};

}  // namespace karting
