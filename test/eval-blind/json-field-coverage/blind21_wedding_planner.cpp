// checks: errorshield-json-field-coverage
// Wedding planner backend: guest list, seating chart, vendors and RSVPs,
// served as a small JSON-over-HTTP API to the planner's web app.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace wedding {

struct Couple {
  std::string partner_a;
  std::string partner_b;
  std::string date;      // ISO-8601
  std::string hashtag;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Couple, partner_a, partner_b, date, hashtag)

struct Guest {
  std::string name;
  std::string email;
  std::string dietary;   // "vegan", "nut allergy", ...
  int plus_ones = 0;
  bool rsvp = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Guest, name, email, plus_ones, rsvp) // expect: errorshield-json-field-coverage

struct Seat {
  int table = 0;
  int position = 0;
  std::string guest_email;
};

void to_json(json& j, const Seat& s) {
  j = json{{"table", s.table}, {"pos", s.position}, {"guest", s.guest_email}};
}

void from_json(const json& j, Seat& s) {
  j.at("table").get_to(s.table);
  j.at("pos").get_to(s.position);
  j.at("guest").get_to(s.guest_email);
}

struct Table {
  int number = 0;
  std::string label;              // "Family", "College friends"
  int capacity = 8;
  std::vector<std::string> seats; // guest emails
};

void to_json(json& j, const Table& t) {
  j["number"] = t.number;
  j["label"] = t.label;
  j["capacity"] = t.capacity;
  j["seats"] = t.seats;
}

void from_json(const json& j, Table& t) { // expect: errorshield-json-field-coverage
  t.number = j.at("number").get<int>();
  t.label = j.value("label", "");
  t.seats = j.at("seats").get<std::vector<std::string>>();
}

struct Vendor {
  std::string name;
  std::string category;   // florist, caterer, DJ...
  std::string phone;
  std::int64_t deposit_cents = 0;
};

void to_json(json& j, const Vendor& v) { // expect: errorshield-json-field-coverage
  j = json{{"name", v.name}, {"category", v.category}, {"deposit_cents", v.deposit_cents}};
}

void from_json(const json& j, Vendor& v) {
  v.name = j.at("name").get<std::string>();
  v.category = j.at("category").get<std::string>();
  v.phone = j.value("phone", "");
  v.deposit_cents = j.value("deposit_cents", std::int64_t{0});
}

class Venue {
public:
  Venue() = default;
  Venue(std::string n, std::string c, int cap) : name_(std::move(n)), city_(std::move(c)), max_guests_(cap) {}
  int max_guests() const { return max_guests_; }

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Venue, name_, city_) // expect: errorshield-json-field-coverage

private:
  std::string name_;
  std::string city_;
  int max_guests_ = 0;
};

struct Gift {
  std::string item;
  std::string store;
  std::int64_t price_cents = 0;
  bool purchased = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Gift, item, store, price_cents, purchased)

struct Budget {
  static constexpr int kSchemaVersion = 3;
  std::int64_t total_cents = 0;
  std::int64_t spent_cents = 0;
  std::map<std::string, std::int64_t> by_category;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Budget, total_cents, spent_cents, by_category)

// RSVP record, keyed either by guest email (web form) or by invite code (paper card).
template <class Key>
struct Rsvp {
  Key who;
  bool attending = false;
  int meal_choice = 0;
  std::string song_request;
};

template <class Key>
void to_json(json& j, const Rsvp<Key>& r) { // expect: errorshield-json-field-coverage
  j = json{{"who", r.who}, {"attending", r.attending}, {"meal", r.meal_choice}};
}

template <class Key>
void from_json(const json& j, Rsvp<Key>& r) {
  j.at("who").get_to(r.who);
  j.at("attending").get_to(r.attending);
  j.at("meal").get_to(r.meal_choice);
  r.song_request = j.value("song", "");
}

struct Planner {
  Couple couple;
  Venue venue;
  std::vector<Guest> guests;
  std::vector<Table> tables;
  std::vector<Vendor> vendors;
  std::vector<Gift> registry;
  Budget budget;
};

void to_json(json& j, const Planner& p) {
  j = json{{"couple", p.couple}, {"venue", p.venue},   {"guests", p.guests},  {"tables", p.tables},
           {"vendors", p.vendors}, {"registry", p.registry}, {"budget", p.budget}};
}

// ---- HTTP API ---------------------------------------------------------------

http::response<http::string_body> route(const http::request<http::string_body>& req, Planner& plan) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  auto target = std::string(req.target());
  try {
    if (target == "/api/plan" && req.method() == http::verb::get) {
      res.body() = json(plan).dump();
    } else if (target == "/api/guests" && req.method() == http::verb::post) {
      plan.guests.push_back(json::parse(req.body()).get<Guest>());
      res.body() = json(plan.guests.back()).dump();
    } else if (target == "/api/tables" && req.method() == http::verb::put) {
      plan.tables = json::parse(req.body()).get<std::vector<Table>>();
      res.body() = json(plan.tables).dump();
    } else if (target == "/api/vendors" && req.method() == http::verb::post) {
      plan.vendors.push_back(json::parse(req.body()).get<Vendor>());
      res.body() = json(plan.vendors.back()).dump();
    } else if (target == "/api/rsvp" && req.method() == http::verb::post) {
      auto r = json::parse(req.body()).get<Rsvp<std::string>>();
      res.body() = json(r).dump();
    } else if (target == "/api/seats" && req.method() == http::verb::post) {
      auto s = json::parse(req.body()).get<Seat>();
      res.body() = json(s).dump();
    } else {
      res.result(http::status::not_found);
      res.body() = R"({"error":"not found"})";
    }
  } catch (const json::exception& e) {
    res.result(http::status::bad_request);
    res.body() = json{{"error", e.what()}}.dump();
  }
  res.prepare_payload();
  return res;
}

net::awaitable<void> serve(tcp::socket sock, Planner& plan) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    auto [ec, n] = co_await http::async_read(stream, buf, req, net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    auto res = route(req, plan);
    co_await http::async_write(stream, res, net::use_awaitable);
    if (!req.keep_alive()) co_return;
  }
}

}  // namespace wedding

int main() {
  net::io_context ioc;
  wedding::Planner plan;
  plan.couple = {"Ana", "Ben", "2025-06-14", "#AnaAndBen"};
  plan.venue = wedding::Venue("Old Mill Barn", "Harrogate", 140);
  tcp::acceptor acc(ioc, {tcp::v4(), 8088});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await acc.async_accept(net::use_awaitable);
      net::co_spawn(ioc, wedding::serve(std::move(s), plan), net::detached);
    }
  }, net::detached);
  ioc.run();
}
