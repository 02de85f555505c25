// checks: errorshield-unlocked-shared-map
// Repair ticket service for the instrument workshop. Front desk tablets and
// the luthiers' bench terminals speak a line protocol over TCP; every
// connection is a coroutine on a shared thread pool.
#include <boost/asio.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using json = nlohmann::json;

namespace workshop {

struct Ticket {
  int id = 0;
  std::string instrument; // "violin", "viola", "cello", ...
  std::string owner;
  std::string luthier;
  std::string state = "received";
};

class TicketBook {
public:
  int open(std::string instrument, std::string owner) {
    std::lock_guard lk(mu_);
    int id = ++last_id_;
    tickets_.emplace(id, Ticket{id, std::move(instrument), std::move(owner), {}, "received"});
    return id;
  }

  std::optional<Ticket> find(int id) const {
    std::lock_guard lk(mu_);
    auto it = tickets_.find(id);
    if (it == tickets_.end())
      return std::nullopt;
    return it->second;
  }

  void assign(int id, const std::string &luthier) {
    std::lock_guard lk(mu_);
    set_state_locked(id, "on_bench");
    tickets_[id].luthier = luthier;
  }

  void close(int id) {
    tickets_.erase(id); // expect: errorshield-unlocked-shared-map
  }

  void set_state(int id, std::string state) {
    std::unique_lock lk(mu_);
    auto it = tickets_.find(id);
    if (it == tickets_.end())
      return;
    Ticket updated = it->second;
    lk.unlock();
    updated.state = std::move(state);
    tickets_.insert_or_assign(id, std::move(updated)); // expect: errorshield-unlocked-shared-map
  }

  void reopen(int id) {
    std::unique_lock lk(mu_, std::defer_lock);
    lk.lock();
    tickets_[id].state = "received";
  }

private:
  // Caller holds mu_.
  void set_state_locked(int id, const char *state) { tickets_[id].state = state; }

  mutable std::mutex mu_;
  std::map<int, Ticket> tickets_;
  int last_id_ = 1000;
};

// Instruments physically on a bench right now (serial numbers).
std::unordered_set<std::string> g_on_bench;
std::mutex g_bench_mu;

// Tracks how many tickets each luthier holds, for the desk's "who is free" view.
int bump_luthier_load(const std::string &luthier, int delta) {
  static std::unordered_map<std::string, int> load;
  load[luthier] += delta; // expect: errorshield-unlocked-shared-map
  return load[luthier];
}

template <class Clock = std::chrono::steady_clock>
class ResponseTimes {
public:
  void started(int ticket) { started_.try_emplace(ticket, Clock::now()); } // expect: errorshield-unlocked-shared-map

  void finished(int ticket) {
    std::lock_guard lk(mu_);
    started_.erase(ticket);
  }

private:
  std::mutex mu_;
  std::unordered_map<int, typename Clock::time_point> started_;
};

TicketBook g_book;
ResponseTimes<> g_times;

awaitable<void> write_json(tcp::socket &sock, const json &j) {
  std::string out = j.dump() + "\n";
  co_await asio::async_write(sock, asio::buffer(out), use_awaitable);
}

awaitable<void> desk_session(tcp::socket sock) {
  std::string buf;
  // Per-connection scratch: which tickets this tablet touched.
  std::map<int, std::string> touched;
  for (;;) {
    auto [ec, n] = co_await asio::async_read_until(sock, asio::dynamic_buffer(buf), '\n',
                                                   asio::as_tuple(use_awaitable));
    if (ec)
      co_return;
    auto msg = json::parse(buf.substr(0, n), nullptr, false);
    buf.erase(0, n);
    if (msg.is_discarded())
      continue;
    const std::string op = msg.value("op", "");
    if (op == "open") {
      int id = g_book.open(msg.value("instrument", "violin"), msg.value("owner", ""));
      g_times.started(id);
      touched[id] = "open";
      co_await write_json(sock, {{"id", id}});
    } else if (op == "bench") {
      std::string serial = msg.value("serial", "");
      g_on_bench.insert(serial); // expect: errorshield-unlocked-shared-map
      int id = msg.value("id", 0);
      g_book.assign(id, msg.value("luthier", ""));
      bump_luthier_load(msg.value("luthier", ""), +1);
      touched[id] = "bench";
      co_await write_json(sock, {{"ok", true}});
    } else if (op == "done") {
      int id = msg.value("id", 0);
      {
        std::lock_guard lk(g_bench_mu);
        g_on_bench.erase(msg.value("serial", ""));
      }
      if (auto t = g_book.find(id))
        bump_luthier_load(t->luthier, -1);
      g_book.close(id);
      g_times.finished(id);
      touched.erase(id);
      co_await write_json(sock, {{"ok", true}});
    } else if (op == "state") {
      g_book.set_state(msg.value("id", 0), msg.value("state", "waiting_parts"));
      co_await write_json(sock, {{"ok", true}});
    } else if (op == "reopen") {
      g_book.reopen(msg.value("id", 0));
      co_await write_json(sock, {{"ok", true}});
    }
  }
}

awaitable<void> listen(tcp::acceptor acc) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(use_awaitable);
    asio::co_spawn(acc.get_executor(), desk_session(std::move(s)), asio::detached);
  }
}

int run(unsigned short port) {
  asio::thread_pool pool(4);
  asio::co_spawn(pool, listen(tcp::acceptor(pool, {tcp::v4(), port})), asio::detached);
  pool.join();
  return 0;
}

} // namespace workshop
