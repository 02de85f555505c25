// checks: errorshield-json-field-coverage
// Film festival programme service: films, screenings, juror ballots and
// ticket holds are exchanged as JSON with the box office and the jury app.
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

namespace festival {

struct Film {
  std::string id;
  std::string title;
  std::string director;
  int year = 0;
  int runtime_minutes = 0;
  std::string country;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Film, id, title, director, year, country) // expect: errorshield-json-field-coverage

struct Venue {
  std::string name;
  int seats = 0;
  bool accessible = true;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Venue, name, seats, accessible)

struct Screening {
  std::string film_id;
  std::string venue;
  std::int64_t starts_at = 0;
  bool premiere = false;
  bool qa_session = false;
  std::vector<std::string> subtitles;
};

void to_json(json& j, const Screening& s) { // expect: errorshield-json-field-coverage
  j = json{{"film_id", s.film_id},
           {"venue", s.venue},
           {"starts_at", s.starts_at},
           {"premiere", s.premiere},
           {"subtitles", s.subtitles}};
}

void from_json(const json& j, Screening& s) {
  j.at("film_id").get_to(s.film_id);
  j.at("venue").get_to(s.venue);
  j.at("starts_at").get_to(s.starts_at);
  j.at("premiere").get_to(s.premiere);
  j.at("qa_session").get_to(s.qa_session);
  j.at("subtitles").get_to(s.subtitles);
}

// Jury ballots come from the jury tablet app.
struct Ballot {
  std::string juror;
  std::string film_id;
  int score = 0;
  std::string remarks;
  bool conflict_of_interest = false;

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Ballot, juror, film_id, score, remarks) // expect: errorshield-json-field-coverage
};

struct Jury {
  std::string section;
  std::vector<std::string> members;
  std::string president;
  static constexpr int kMaxMembers = 7;

  std::size_t size() const { return members.size(); }

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Jury, section, members, president)
};

struct TicketHold {
  std::string screening_id;
  std::string holder;
  int quantity = 0;
  std::int64_t expires_at = 0;
};

void to_json(json& j, const TicketHold& h) {
  j["screening_id"] = h.screening_id;
  j["holder"] = h.holder;
  j["quantity"] = h.quantity;
  j["expires_at"] = h.expires_at;
}

void from_json(const json& j, TicketHold& h) { // expect: errorshield-json-field-coverage
  h.screening_id = j.at("screening_id").get<std::string>();
  h.holder = j.at("holder").get<std::string>();
  h.quantity = j.value("quantity", 1);
}

// Award categories; defaults so older jury apps can post partial records.
struct Award {
  std::string category;
  std::string film_id;
  std::string citation;
  int prize_eur = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Award, category, film_id, prize_eur) // expect: errorshield-json-field-coverage

// Programme slot shared by the daily-schedule and press-kit exports.
template <class Id>
struct Slot {
  Id id{};
  std::string film_id;
  std::string section;
  std::optional<std::string> introduced_by;
};

template <class Id>
void to_json(json& j, const Slot<Id>& s) { // expect: errorshield-json-field-coverage
  j = json{{"id", s.id}, {"film_id", s.film_id}, {"section", s.section}};
}

struct PressAccreditation {
  std::string outlet;
  std::string journalist;
  std::string badge;
};

void to_json(json& j, const PressAccreditation& p) {
  j = json::object();
  j.emplace("badge", p.badge);
  j.emplace("journalist", p.journalist);
  j.emplace("outlet", p.outlet);
}

void from_json(const json& j, PressAccreditation& p) {
  p.outlet = j.value("outlet", "");
  p.journalist = j.value("journalist", "");
  p.badge = j.value("badge", "GUEST");
}

// HTTP endpoint used by the box office.
http::response<http::string_body> handle(const http::request<http::string_body>& req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  try {
    if (req.target() == "/programme") {
      std::vector<Film> films{{"f1", "Night Harbour", "A. Lind", 2024, 112, "SE"}};
      std::vector<Screening> shows{{"f1", "Palais", 1718035200, true, true, {"en", "fr"}}};
      res.body() = json{{"films", films}, {"screenings", shows}}.dump();
    } else if (req.target() == "/ballot") {
      auto b = json::parse(req.body()).get<Ballot>();
      res.body() = json(b).dump();
    } else if (req.target() == "/hold") {
      auto h = json::parse(req.body()).get<TicketHold>();
      res.body() = json(h).dump();
    } else if (req.target() == "/awards") {
      std::vector<Award> awards{{"Golden Lighthouse", "f1", "For its patience.", 25000}};
      res.body() = json(awards).dump();
    } else if (req.target() == "/schedule") {
      std::vector<Slot<int>> slots{{1, "f1", "Competition", "the director"}};
      json out = json::array();
      for (const auto& s : slots) out.push_back(s);
      res.body() = out.dump();
    } else if (req.target() == "/jury") {
      Jury jury{"Shorts", {"M. Okafor", "L. Brandt"}, "M. Okafor"};
      res.body() = json(jury).dump();
    } else if (req.target() == "/press") {
      auto p = json::parse(req.body()).get<PressAccreditation>();
      res.body() = json(p).dump();
    } else {
      res.result(http::status::not_found);
    }
  } catch (const json::exception& e) {
    res.result(http::status::bad_request);
    res.body() = json{{"error", e.what()}}.dump();
  }
  res.prepare_payload();
  return res;
}

net::awaitable<void> serve(tcp::socket sock) {
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    auto [ec, n] = co_await http::async_read(sock, buf, req, net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    auto res = handle(req);
    auto [wec, wn] = co_await http::async_write(sock, res, net::as_tuple(net::use_awaitable));
    if (wec || !req.keep_alive()) co_return;
  }
}

}  // namespace festival

int main() {
  net::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8088});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await acc.async_accept(net::use_awaitable);
      net::co_spawn(ioc, festival::serve(std::move(s)), net::detached);
    }
  }, net::detached);
  ioc.run();
}
