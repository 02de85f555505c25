// checks: errorshield-json-field-coverage
// Film festival screening schedule API. Programmers edit the schedule in the
// back office; the public app and the box office pull it as JSON.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace fest {

struct Venue {
  std::string id;
  std::string name;
  int capacity = 0;
  bool wheelchair_access = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Venue, id, name, capacity, wheelchair_access)

struct Film {
  std::string id;
  std::string title;
  std::string director;
  int runtime_min = 0;
  std::string country;
  std::string rating; // e.g. "PG-13", "16+"
  std::vector<std::string> languages;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Film, id, title, director, runtime_min, country, languages) // expect: errorshield-json-field-coverage

struct Screening {
  std::string id;
  std::string film_id;
  std::string venue_id;
  std::int64_t starts_at = 0; // unix seconds
  bool premiere = false;
  std::string subtitles;      // language code, empty if none
  int seats_held = 0;         // press/jury allocation
};

void to_json(json& j, const Screening& s) { // expect: errorshield-json-field-coverage
  j = json{{"id", s.id},
           {"film_id", s.film_id},
           {"venue_id", s.venue_id},
           {"starts_at", s.starts_at},
           {"premiere", s.premiere},
           {"seats_held", s.seats_held}};
}

void from_json(const json& j, Screening& s) {
  j.at("id").get_to(s.id);
  j.at("film_id").get_to(s.film_id);
  j.at("venue_id").get_to(s.venue_id);
  j.at("starts_at").get_to(s.starts_at);
  s.premiere = j.value("premiere", false);
  s.subtitles = j.value("subtitles", std::string{});
  s.seats_held = j.value("seats_held", 0);
}

// Guest passes (jury, press, industry).
struct Pass {
  std::string holder;
  std::string category;
  std::int64_t valid_from = 0;
  std::int64_t valid_until = 0;
};

void to_json(json& j, const Pass& p) {
  j["holder"] = p.holder;
  j["category"] = p.category;
  j["valid_from"] = p.valid_from;
  j["valid_until"] = p.valid_until;
}

void from_json(const json& j, Pass& p) { // expect: errorshield-json-field-coverage
  p.holder = j.at("holder").get<std::string>();
  p.category = j.at("category").get<std::string>();
  p.valid_from = j.at("valid_from").get<std::int64_t>();
}

// Q&A sessions after screenings.
class QandA {
public:
  QandA() = default;
  QandA(std::string screening, std::string moderator, std::vector<std::string> guests, int minutes)
      : screening_id_(std::move(screening)), moderator_(std::move(moderator)), guests_(std::move(guests)),
        minutes_(minutes) {}

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(QandA, screening_id_, moderator_, guests_) // expect: errorshield-json-field-coverage

private:
  std::string screening_id_;
  std::string moderator_;
  std::vector<std::string> guests_;
  int minutes_ = 30;
};

// Juries; schema version is a compile-time constant, not per-object data.
struct Jury {
  static constexpr int kSchemaVersion = 2;
  std::string section;
  std::string president;
  std::vector<std::string> members;
};

void to_json(json& j, const Jury& jr) {
  j = json{{"v", Jury::kSchemaVersion}, {"section", jr.section}, {"president", jr.president}, {"members", jr.members}};
}

void from_json(const json& j, Jury& jr) {
  j.at("section").get_to(jr.section);
  j.at("president").get_to(jr.president);
  j.at("members").get_to(jr.members);
}

// Awards extend a base "Announcement" record.
struct Announcement {
  std::string headline;
  std::int64_t published_at = 0;
};

struct Award : Announcement {
  std::string prize;
  std::string film_id;
};

void to_json(json& j, const Announcement& a) {
  j["headline"] = a.headline;
  j["published_at"] = a.published_at;
}

void to_json(json& j, const Award& a) {
  to_json(j, static_cast<const Announcement&>(a));
  j["prize"] = a.prize;
  j["film_id"] = a.film_id;
}

// Paged listing used by every collection endpoint.
template <class T>
struct Page {
  std::vector<T> items;
  std::size_t total = 0;
  std::string next_cursor;
};

template <class T>
void to_json(json& j, const Page<T>& p) { // expect: errorshield-json-field-coverage
  j = json::object();
  j["items"] = p.items;
  j["total"] = p.total;
}

} // namespace fest

// Ticket tiers live in the box-office library; serializer provided here.
namespace boxoffice {
struct PriceTier {
  std::string name;
  std::int64_t cents = 0;
  std::string currency;
  int max_per_order = 0;
};
} // namespace boxoffice

namespace nlohmann {
template <>
struct adl_serializer<boxoffice::PriceTier> {
  static void to_json(json& j, const boxoffice::PriceTier& t) { // expect: errorshield-json-field-coverage
    j = json{{"name", t.name}, {"cents", t.cents}, {"currency", t.currency}};
  }
  static void from_json(const json& j, boxoffice::PriceTier& t) {
    t.name = j.at("name").get<std::string>();
    t.cents = j.at("cents").get<std::int64_t>();
    t.currency = j.at("currency").get<std::string>();
    t.max_per_order = j.value("max_per_order", 10);
  }
};
} // namespace nlohmann

namespace fest {

struct Catalog {
  std::map<std::string, Film> films;
  std::map<std::string, Venue> venues;
  std::vector<Screening> screenings;
};

http::response<http::string_body> handle(const http::request<http::string_body>& req, Catalog& cat) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  if (req.target() == "/screenings") {
    Page<Screening> page{cat.screenings, cat.screenings.size(), ""};
    res.body() = json(page).dump();
  } else if (req.target() == "/films") {
    json arr = json::array();
    for (auto& [id, f] : cat.films)
      arr.push_back(f);
    res.body() = arr.dump();
  } else if (req.target() == "/screenings/import" && req.method() == http::verb::post) {
    auto in = json::parse(req.body());
    for (auto& s : in)
      cat.screenings.push_back(s.get<Screening>());
    res.body() = R"({"ok":true})";
  } else if (req.target() == "/tiers") {
    std::vector<boxoffice::PriceTier> tiers{{"adult", 1400, "EUR", 6}, {"student", 900, "EUR", 2}};
    res.body() = json(tiers).dump();
  } else {
    res.result(http::status::not_found);
    res.body() = R"({"error":"not found"})";
  }
  res.prepare_payload();
  return res;
}

net::awaitable<void> session(tcp::socket sock, Catalog& cat) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    co_await http::async_read(stream, buf, req, net::use_awaitable);
    auto res = handle(req, cat);
    co_await http::async_write(stream, res, net::use_awaitable);
    if (!req.keep_alive())
      break;
  }
}

} // namespace fest

int main() {
  net::io_context ioc;
  fest::Catalog cat;
  tcp::acceptor acc(ioc, {tcp::v4(), 8080});
  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        for (;;) {
          auto s = co_await acc.async_accept(net::use_awaitable);
          net::co_spawn(ioc, fest::session(std::move(s), cat), net::detached);
        }
      },
      net::detached);
  json q = fest::QandA("s1", "Agnès", {"dir"}, 20);
  json p = fest::Pass{"J. Doe", "press", 0, 1};
  json a = fest::Award{{"Golden Reel", 0}, "Best Film", "f1"};
  json jr = fest::Jury{"Competition", "M. Haneke", {}};
  std::clog << q << p << a << jr << "\n";
  ioc.run();
}
