// checks: errorshield-deferred-ref-capture
// Tram depot dispatcher: yard controllers connect over TCP, reserve tracks for
// incoming trams and release them when the tram leaves the depot.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace depot {

// Small RAII helper: runs the stored callable when the scope ends.
template <class F> class OnExit {
public:
  explicit OnExit(F f) : f_(std::move(f)) {}
  OnExit(const OnExit &) = delete;
  OnExit &operator=(const OnExit &) = delete;
  ~OnExit() { f_(); }

private:
  F f_;
};
template <class F> OnExit<F> on_exit(F f) { return OnExit<F>(std::move(f)); }

struct TrackReservation {
  int track = -1;
  std::string tram_id;
};

class Yard {
public:
  int reserve(const std::string &tram_id) {
    std::lock_guard<std::mutex> lk(mu_);
    int track = next_track_++;
    by_track_[track] = tram_id;
    return track;
  }
  void release(int track) {
    std::lock_guard<std::mutex> lk(mu_);
    by_track_.erase(track);
  }
  void log_release(const std::string &tram_id) {
    std::lock_guard<std::mutex> lk(mu_);
    std::cout << "released " << tram_id << "\n";
  }

private:
  std::mutex mu_;
  std::map<int, std::string> by_track_;
  int next_track_ = 1;
};

// Shunting a batch: every tram gets a temporary track while it is inspected.
void shunt_batch(Yard &yard, const std::vector<std::string> &trams) {
  if (trams.empty())
    return;
  int track = yard.reserve(trams.front());
  auto release_guard = on_exit([&] { yard.release(track); }); // expect: errorshield-deferred-ref-capture
  for (std::size_t i = 1; i < trams.size(); ++i) {
    // reuse the same slot variable for the next inspection
    track = yard.reserve(trams[i]);
  }
}

// Inspecting a single tram; the track variable never changes after the guard.
void inspect_one(Yard &yard, const std::string &tram_id) {
  const int track = yard.reserve(tram_id);
  auto release_guard = on_exit([&] { yard.release(track); });
  std::cout << "inspecting " << tram_id << " on " << track << "\n";
}

// Value-captured guard is immune to the later reassignment.
void shunt_pair(Yard &yard, const std::string &a, const std::string &b) {
  int track = yard.reserve(a);
  auto release_guard = on_exit([&yard, track] { yard.release(track); });
  track = yard.reserve(b);
  yard.release(track);
}

// Release is queued on the io_context so it happens after the current
// dispatch round completes.
void schedule_release(net::io_context &ioc, Yard &yard, const std::string &tram_id) {
  std::string who = tram_id;
  int track = yard.reserve(who);
  net::post(ioc, [&yard, &who, track] { yard.log_release(who); yard.release(track); }); // expect: errorshield-deferred-ref-capture
}

void schedule_release_copy(net::io_context &ioc, Yard &yard, const std::string &tram_id) {
  int track = yard.reserve(tram_id);
  net::post(ioc, [&yard, who = tram_id, track] { yard.log_release(who); yard.release(track); });
}

// Counting trams on the yard map synchronously: the lambda runs before return.
std::size_t count_matching(const std::vector<std::string> &trams, const std::string &prefix) {
  std::string needle = prefix;
  return static_cast<std::size_t>(std::count_if(trams.begin(), trams.end(), [&](const std::string &t) {
    return t.rfind(needle, 0) == 0;
  }));
}

// One controller connection. Each controller owns the reservation it made.
class ControllerSession : public std::enable_shared_from_this<ControllerSession> {
public:
  ControllerSession(tcp::socket sock, Yard &yard)
      : sock_(std::move(sock)), timer_(sock_.get_executor()), yard_(yard) {}

  void start() { read_request(); }

private:
  void read_request() {
    auto self = shared_from_this();
    net::async_read_until(sock_, buf_, '\n', [self](beast::error_code ec, std::size_t n) {
      if (ec)
        return;
      std::string line(static_cast<const char *>(self->buf_.data().data()), n);
      self->buf_.consume(n);
      self->handle(line);
    });
  }

  void handle(const std::string &line) {
    json msg = json::parse(line, nullptr, false);
    if (msg.is_discarded() || !msg.contains("tram")) {
      read_request();
      return;
    }
    TrackReservation res;
    res.tram_id = msg["tram"].get<std::string>();
    res.track = yard_.reserve(res.tram_id);

    // Free the track if the controller does not confirm within the window.
    timer_.expires_after(30s);
    timer_.async_wait([this, &res](beast::error_code ec) { // expect: errorshield-deferred-ref-capture
      if (!ec)
        yard_.release(res.track);
    });
    read_request();
  }

  tcp::socket sock_;
  net::steady_timer timer_;
  net::streambuf buf_;
  Yard &yard_;
};

// Coroutine flavour used by the maintenance bay.
net::awaitable<void> maintenance_session(tcp::socket sock, Yard &yard) {
  std::string tram_id;
  net::streambuf buf;
  for (;;) {
    auto [ec, n] = co_await net::async_read_until(sock, buf, '\n', net::as_tuple(net::use_awaitable));
    if (ec)
      co_return;
    tram_id.assign(static_cast<const char *>(buf.data().data()), n - 1);
    buf.consume(n);
    int track = yard.reserve(tram_id);
    // Releasing happens when this iteration finishes.
    auto release_guard = on_exit([&yard, track] { yard.release(track); });
    co_await net::async_write(sock, net::buffer(tram_id + " ok\n"), net::use_awaitable);
  }
}

// Audit trail writer: fire-and-forget thread appending to the depot log.
void audit_departure(Yard &yard, const std::string &tram_id) {
  std::string entry = "departed:" + tram_id;
  std::thread([&entry, &yard] { // expect: errorshield-deferred-ref-capture
    std::this_thread::sleep_for(10ms);
    yard.log_release(entry);
  }).detach();
}

// Same audit, but waits for the writer before returning.
void audit_departure_sync(Yard &yard, const std::string &tram_id) {
  std::string entry = "departed:" + tram_id;
  std::thread writer([&entry, &yard] { yard.log_release(entry); });
  writer.join();
}

// Generic dispatcher used for both trams and maintenance vehicles.
template <class Vehicle> class Dispatcher {
public:
  explicit Dispatcher(Yard &yard) : yard_(yard) {}

  void dispatch(const std::vector<Vehicle> &vehicles) {
    Vehicle current = vehicles.empty() ? Vehicle{} : vehicles.front();
    int track = yard_.reserve(current.id);
    auto guard = on_exit([&] { yard_.release(track); yard_.log_release(current.id); }); // expect: errorshield-deferred-ref-capture
    for (const auto &v : vehicles) {
      current = v;
      std::cout << "moving " << current.id << "\n";
    }
  }

private:
  Yard &yard_;
};

struct Tram {
  std::string id;
};

void run_depot(unsigned short port) {
  net::io_context ioc;
  Yard yard;
  tcp::acceptor acceptor(ioc, {tcp::v4(), port});

  std::function<void()> do_accept;
  do_accept = [&] {
    acceptor.async_accept([&](beast::error_code ec, tcp::socket sock) {
      if (!ec)
        std::make_shared<ControllerSession>(std::move(sock), yard)->start();
      do_accept();
    });
  };
  do_accept();

  Dispatcher<Tram> dispatcher(yard);
  dispatcher.dispatch({Tram{"T-101"}, Tram{"T-102"}});
  shunt_batch(yard, {"T-201", "T-202"});
  inspect_one(yard, "T-301");
  schedule_release_copy(ioc, yard, "T-401");

  ioc.run();
}

} // namespace depot

int main() {
  depot::run_depot(9300);
  return 0;
}
