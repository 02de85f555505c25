// checks: errorshield-json-field-coverage
// Tutoring marketplace: booking API served over HTTP with Boost.Beast.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace market {

struct Money {
  std::int64_t minor = 0;
  std::string currency = "EUR";
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Money, minor, currency)

class TutorProfile {
public:
  std::string id() const { return tutor_id_; }

private:
  std::string tutor_id_;
  std::string display_name_;
  std::vector<std::string> subjects_;
  Money hourly_rate_;
  double rating_avg_ = 0.0;
  int reviews_count_ = 0;
  std::string timezone_;

public:
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(TutorProfile, tutor_id_, display_name_, subjects_, hourly_rate_, rating_avg_, reviews_count_) // expect: errorshield-json-field-coverage
};

struct StudentProfile {
  std::string student_id;
  std::string display_name;
  std::string grade_level;
  std::vector<std::string> goals;
  bool guardian_consent = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StudentProfile, student_id, display_name, grade_level, goals, guardian_consent)

struct Booking {
  std::string booking_id;
  std::string tutor_id;
  std::string student_id;
  std::int64_t starts_at = 0;
  int duration_min = 60;
  Money price;
  std::optional<std::int64_t> cancelled_at;
};

// OK: all members, keys renamed for the public API, optional written as null.
void to_json(json& j, const Booking& b) {
  j = json{{"id", b.booking_id},
           {"tutor", b.tutor_id},
           {"student", b.student_id},
           {"start", b.starts_at},
           {"minutes", b.duration_min},
           {"price", b.price}};
  j["cancelled_at"] = b.cancelled_at ? json(*b.cancelled_at) : json(nullptr);
}

void from_json(const json& j, Booking& b) { // expect: errorshield-json-field-coverage
  j.at("id").get_to(b.booking_id);
  j.at("tutor").get_to(b.tutor_id);
  j.at("student").get_to(b.student_id);
  j.at("start").get_to(b.starts_at);
  j.at("price").get_to(b.price);
  if (j.contains("cancelled_at") && !j["cancelled_at"].is_null())
    b.cancelled_at = j["cancelled_at"].get<std::int64_t>();
}

struct SessionReview {
  std::string booking_id;
  std::string tutor_id;
  int stars = 0;
  std::string comment;
  bool anonymous = false;
};

void to_json(json& j, const SessionReview& r) {
  j["booking"] = r.booking_id;
  j["tutor"] = r.tutor_id;
  j["stars"] = r.stars;
  j["comment"] = r.comment;
  j["anonymous"] = r.anonymous;
}

namespace {
template <class T>
void read_opt(const json& j, const char* key, T& out) {
  if (auto it = j.find(key); it != j.end())
    it->get_to(out);
}
} // namespace

// OK: every member read, three of them through read_opt.
void from_json(const json& j, SessionReview& r) {
  j.at("booking").get_to(r.booking_id);
  j.at("tutor").get_to(r.tutor_id);
  read_opt(j, "stars", r.stars);
  read_opt(j, "comment", r.comment);
  read_opt(j, "anonymous", r.anonymous);
}

struct SessionBase {
  std::string session_id;
  std::string tutor_id;
  std::string subject;
  std::int64_t starts_at = 0;
};

void to_json(json& j, const SessionBase& s) {
  j = json{{"id", s.session_id}, {"tutor", s.tutor_id}, {"subject", s.subject}, {"start", s.starts_at}};
}

struct GroupSession : SessionBase {
  int max_students = 8;
  std::vector<std::string> enrolled;
  std::string whiteboard_url;
};

void to_json(json& j, const GroupSession& g) { // expect: errorshield-json-field-coverage
  to_json(j, static_cast<const SessionBase&>(g));
  j["max"] = g.max_students;
  j["enrolled"] = g.enrolled;
}

struct PrivateSession : SessionBase {
  std::string student_id;
  std::string meeting_link;
};

// OK: base fields via the base mapping, then both own fields.
void to_json(json& j, const PrivateSession& p) {
  to_json(j, static_cast<const SessionBase&>(p));
  j["student"] = p.student_id;
  j["link"] = p.meeting_link;
}

struct PayoutSummary {
  std::string tutor_id;
  std::int64_t period_start = 0;
  std::int64_t period_end = 0;
  Money gross;
  Money platform_fee;
  Money net;
};

// The report writer is registered once and run later for each tutor.
using Encoder = void (*)(json&, const PayoutSummary&);
inline const Encoder kPayoutEncoder = [](json& j, const PayoutSummary& p) {
  j["tutor"] = p.tutor_id;
  j["from"] = p.period_start;
  j["to"] = p.period_end;
  j["gross"] = p.gross;
  j["net"] = p.net;
};

void to_json(json& j, const PayoutSummary& p) { // expect: errorshield-json-field-coverage
  kPayoutEncoder(j, p);
}

class Catalog {
public:
  void upsert_tutor(const TutorProfile& t) {
    std::lock_guard lk(mu_);
    tutors_[t.id()] = t;
  }
  void add_booking(Booking b) {
    std::lock_guard lk(mu_);
    bookings_.push_back(std::move(b));
  }
  json tutors_json() const {
    std::lock_guard lk(mu_);
    json arr = json::array();
    for (const auto& [id, t] : tutors_)
      arr.push_back(t);
    return arr;
  }

private:
  mutable std::mutex mu_;
  std::map<std::string, TutorProfile> tutors_;
  std::vector<Booking> bookings_;
};

http::response<http::string_body> handle(Catalog& cat, const http::request<http::string_body>& req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());

  if (req.method() == http::verb::get && req.target() == "/tutors") {
    res.body() = cat.tutors_json().dump();
  } else if (req.method() == http::verb::post && req.target() == "/bookings") {
    json in = json::parse(req.body(), nullptr, false);
    if (in.is_discarded()) {
      res.result(http::status::bad_request);
      res.body() = R"({"error":"malformed json"})";
    } else {
      try {
        auto b = in.get<Booking>();
        res.body() = json(b).dump();
        cat.add_booking(std::move(b));
        res.result(http::status::created);
      } catch (const json::exception& e) {
        res.result(http::status::unprocessable_entity);
        res.body() = json{{"error", e.what()}}.dump();
      }
    }
  } else if (req.method() == http::verb::post && req.target() == "/reviews") {
    auto r = json::parse(req.body()).get<SessionReview>();
    res.body() = json(r).dump();
  } else {
    res.result(http::status::not_found);
    res.body() = R"({"error":"no route"})";
  }
  res.prepare_payload();
  return res;
}

} // namespace market
