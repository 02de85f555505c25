// checks: errorshield-float-money
// Invoicing gateway for a freelancer marketplace. Freelancers submit
// timesheets, the gateway turns them into invoices and tracks what each client
// still owes. HTTP/1.1 via Beast, callback style, one session object per socket.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using json = nlohmann::json;

struct TimesheetEntry {
  std::string task;
  double hours = 0.0;
  double hourly_rate = 0.0; // expect: errorshield-float-money
};

struct InvoiceLine {
  std::string task;
  double hours = 0.0;
  std::int64_t rate_cents_per_hour = 0;
  std::int64_t amount_cents = 0;
};

struct Invoice {
  std::string id;
  std::string client;
  std::vector<InvoiceLine> lines;
  std::int64_t net_cents = 0;
  std::int64_t vat_cents = 0;
  float progress = 0.0f; // share of milestones delivered
};

// VAT expressed in basis points so rounding stays exact.
constexpr std::int64_t kVatBasisPoints = 2000;

std::int64_t vat_for(std::int64_t net_cents) { return (net_cents * kVatBasisPoints + 5000) / 10000; }

class Billing {
public:
  Invoice build(const std::string &client, const json &sheet) {
    Invoice inv;
    inv.id = "INV-" + std::to_string(++seq_);
    inv.client = client;
    for (const auto &row : sheet.at("entries")) {
      InvoiceLine l;
      l.task = row.at("task").get<std::string>();
      l.hours = row.at("hours").get<double>();
      l.rate_cents_per_hour = row.at("rate_cents").get<std::int64_t>();
      l.amount_cents = std::llround(l.hours * static_cast<double>(l.rate_cents_per_hour));
      inv.net_cents += l.amount_cents;
      inv.lines.push_back(std::move(l));
    }
    inv.vat_cents = vat_for(inv.net_cents);
    std::lock_guard<std::mutex> lk(mu_);
    owed_cents_[client] += inv.net_cents + inv.vat_cents;
    return inv;
  }

  void record_payment(const json &body) {
    const auto received = body.at("amount").get<float>(); // expect: errorshield-float-money
    std::lock_guard<std::mutex> lk(mu_);
    const auto client = body.at("client").get<std::string>();
    outstanding_by_client_[client] -= received;
    owed_cents_[client] -= std::llround(received * 100.0f);
  }

  void apply_goodwill_credit(const std::string &client, double credit) { // expect: errorshield-float-money
    std::lock_guard<std::mutex> lk(mu_);
    outstanding_by_client_[client] -= credit;
  }

  json statement(const std::string &client) {
    std::lock_guard<std::mutex> lk(mu_);
    return json{{"client", client}, {"owed_cents", owed_cents_[client]}};
  }

private:
  std::mutex mu_;
  std::uint64_t seq_ = 0;
  std::map<std::string, std::int64_t> owed_cents_;
  std::map<std::string, double> outstanding_by_client_; // expect: errorshield-float-money
};

// Quick estimate shown while the freelancer is still typing the timesheet.
json estimate(const std::vector<TimesheetEntry> &entries) {
  double total_hours = 0.0;
  for (const auto &e : entries)
    total_hours += e.hours;
  auto price_estimate = [&entries] {
    double subtotal = 0.0; // expect: errorshield-float-money
    for (const auto &e : entries)
      subtotal += e.hours * e.hourly_rate;
    return subtotal;
  };
  return json{{"hours", total_hours}, {"estimate", price_estimate()}};
}

json to_json(const Invoice &inv) {
  json lines = json::array();
  for (const auto &l : inv.lines)
    lines.push_back({{"task", l.task}, {"hours", l.hours}, {"amount_cents", l.amount_cents}});
  return json{{"id", inv.id},
              {"client", inv.client},
              {"lines", lines},
              {"net_cents", inv.net_cents},
              {"vat_cents", inv.vat_cents},
              {"progress", inv.progress}};
}

class Session : public std::enable_shared_from_this<Session> {
public:
  Session(tcp::socket s, Billing &billing) : stream_(std::move(s)), billing_(billing) {}
  void start() { read(); }

private:
  void read() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->route();
    });
  }

  void route() {
    auto started = std::chrono::steady_clock::now();
    json body = json::parse(req_.body(), nullptr, false);
    json out;
    if (body.is_discarded()) {
      out = {{"error", "bad json"}};
    } else if (req_.target() == "/invoice") {
      out = to_json(billing_.build(body.value("client", "unknown"), body));
    } else if (req_.target() == "/payment") {
      billing_.record_payment(body);
      out = {{"ok", true}};
    } else {
      out = billing_.statement(body.value("client", "unknown"));
    }
    std::chrono::duration<double, std::milli> latency_ms = std::chrono::steady_clock::now() - started;
    out["latency_ms"] = latency_ms.count();
    reply(std::move(out));
  }

  void reply(json out) {
    res_ = {http::status::ok, req_.version()};
    res_.set(http::field::content_type, "application/json");
    res_.keep_alive(req_.keep_alive());
    res_.body() = out.dump();
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec && self->res_.keep_alive())
        self->read();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  Billing &billing_;
};

void accept(tcp::acceptor &acc, Billing &billing) {
  acc.async_accept([&acc, &billing](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<Session>(std::move(s), billing)->start();
    accept(acc, billing);
  });
}

int main() {
  asio::io_context ioc;
  Billing billing;
  billing.apply_goodwill_credit("acme", 0);
  auto est = estimate({{"logo", 3.5, 0.0}});
  tcp::acceptor acc(ioc, {tcp::v4(), 8443});
  accept(acc, billing);
  ioc.run();
}
