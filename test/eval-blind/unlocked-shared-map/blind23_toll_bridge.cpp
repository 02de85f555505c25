// checks: errorshield-unlocked-shared-map
// Toll bridge transponder gateway. Lane readers post tag reads over UDP; the
// gateway resolves the account, books the toll and tells the lane controller
// whether to lift the barrier. The io_context is run by a small thread pool.
#include <array>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using asio::ip::udp;
using namespace std::chrono_literals;

struct Account {
  std::string plate;
  std::int64_t balance_cents = 0;
  bool suspended = false;
};

struct LaneState {
  bool open = true;
  std::int64_t passages = 0;
};

// Plates reported stolen; refreshed by the police feed worker.
std::set<std::string> g_hotlist;

class TollGateway {
public:
  explicit TollGateway(asio::io_context &ioc) : ioc_(ioc), sock_(ioc, udp::endpoint(udp::v4(), 9400)) {
    // Seed data is loaded before any worker thread is started.
    accounts_.emplace("TAG-0001", Account{"AB-123-CD", 5000, false});
    lanes_.emplace(1, LaneState{});
    lanes_.emplace(2, LaneState{});
  }

  void start() { receive(); }

  // Charges a read; called on whatever pool thread completed the receive.
  void on_tag_read(const std::string &tag, int lane, std::int64_t toll_cents) {
    asio::post(ioc_, [this, tag, lane, toll_cents] {
      last_tag_by_lane_[lane] = tag; // expect: errorshield-unlocked-shared-map
      std::lock_guard<std::mutex> lk(accounts_mu_);
      auto it = accounts_.find(tag);
      if (it == accounts_.end() || it->second.suspended) {
        unknown_tags_[tag] += 1;
        return;
      }
      it->second.balance_cents -= toll_cents;
      if (it->second.balance_cents < 0)
        it->second.suspended = true;
    });
    count_passage(lane);
  }

  void top_up(const std::string &tag, std::int64_t cents) {
    std::scoped_lock lk(accounts_mu_);
    accounts_[tag].balance_cents += cents;
  }

  void register_tag(const std::string &tag, const std::string &plate) {
    accounts_.insert_or_assign(tag, Account{plate, 0, false}); // expect: errorshield-unlocked-shared-map
  }

  void close_lane(int lane) {
    {
      std::lock_guard<std::mutex> lk(lanes_mu_);
      if (lanes_.count(lane) == 0)
        return;
    }
    lanes_.erase(lane); // expect: errorshield-unlocked-shared-map
  }

  void reopen_lane(int lane) {
    std::unique_lock<std::mutex> lk(lanes_mu_);
    lanes_[lane].open = true;
  }

private:
  void count_passage(int lane) {
    std::lock_guard<std::mutex> lk(lanes_mu_);
    auto &st = lanes_[lane];
    ++st.passages;
  }

  void receive() {
    sock_.async_receive_from(asio::buffer(buf_), peer_, [this](boost::system::error_code ec, std::size_t n) {
      if (!ec) {
        std::string msg(buf_.data(), n);
        auto sep = msg.find(':');
        if (sep != std::string::npos)
          on_tag_read(msg.substr(0, sep), std::stoi(msg.substr(sep + 1)), 350);
      }
      receive();
    });
  }

  asio::io_context &ioc_;
  udp::socket sock_;
  udp::endpoint peer_;
  std::array<char, 512> buf_{};

  std::mutex accounts_mu_;
  std::unordered_map<std::string, Account> accounts_;
  std::unordered_map<std::string, int> unknown_tags_; // guarded by accounts_mu_
  std::map<int, std::string> last_tag_by_lane_;

  std::mutex lanes_mu_;
  std::map<int, LaneState> lanes_;
};

// Per-plate sighting counter used by the fraud heuristics; called from every
// lane handler.
int note_sighting(const std::string &plate) {
  static std::unordered_map<std::string, int> sightings;
  return ++sightings[plate]; // expect: errorshield-unlocked-shared-map
}

// Same heuristic for the offline batch tool: each thread keeps its own table.
int note_sighting_batch(const std::string &plate) {
  thread_local std::unordered_map<std::string, int> sightings;
  return ++sightings[plate];
}

void police_feed_worker(std::vector<std::string> feed) {
  for (auto &plate : feed)
    g_hotlist.insert(std::move(plate)); // expect: errorshield-unlocked-shared-map
}

std::mutex g_hotlist_mu;

void clear_hotlist_entry(const std::string &plate) {
  std::lock_guard<std::mutex> lk(g_hotlist_mu);
  g_hotlist.erase(plate);
}

// Builds the shift report from a private copy.
std::map<int, std::int64_t> shift_report(const std::vector<std::pair<int, std::int64_t>> &rows) {
  std::map<int, std::int64_t> per_lane;
  for (const auto &[lane, cents] : rows)
    per_lane[lane] += cents;
  return per_lane;
}

int main() {
  asio::io_context ioc;
  TollGateway gw(ioc);
  gw.start();

  std::thread feed(police_feed_worker, std::vector<std::string>{"XY-999-ZZ", "QQ-001-AA"});

  std::vector<std::thread> pool;
  for (int i = 0; i < 4; ++i)
    pool.emplace_back([&ioc] { ioc.run(); });

  gw.register_tag("TAG-0002", "CD-456-EF");
  gw.top_up("TAG-0002", 2000);
  gw.close_lane(2);
  gw.reopen_lane(2);
  note_sighting("AB-123-CD");
  note_sighting_batch("AB-123-CD");
  clear_hotlist_entry("QQ-001-AA");
  auto report = shift_report({{1, 350}, {2, 350}});
  std::cout << report.size() << "\n";

  feed.join();
  for (auto &t : pool)
    t.join();
}
