// checks: errorshield-json-field-coverage
// User/profile REST API (Boost.Beast) with nlohmann::json (de)serialisation.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;

namespace api {

enum class Role { Viewer, Editor, Admin };

NLOHMANN_JSON_SERIALIZE_ENUM(Role, {{Role::Viewer, "viewer"},
                                    {Role::Editor, "editor"},
                                    {Role::Admin, "admin"}})

// --- 1. Macro, complete -----------------------------------------------------
struct Address {
  std::string street;
  std::string city;
  std::string zip;
  std::string country;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Address, street, city, zip, country)

// --- 2. Macro that forgot a member -----------------------------------------
struct Preferences {
  std::string language;
  std::string timezone;
  bool newsletter = false;
  int items_per_page = 20;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Preferences, language, timezone, newsletter) // expect: errorshield-json-field-coverage

// --- 3. Intrusive macro with a private member forgotten ---------------------
class Session {
public:
  Session() = default;
  const std::string &token() const { return token_; }

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Session, token_, user_id_) // expect: errorshield-json-field-coverage

private:
  std::string token_;
  std::uint64_t user_id_ = 0;
  std::int64_t expires_at_ = 0;
};

// --- 4. Intrusive macro, complete; static and mutex members are not data ----
class RateLimit {
public:
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(RateLimit, window_s_, max_requests_)

private:
  static constexpr int kDefaultWindow = 60;
  int window_s_ = kDefaultWindow;
  int max_requests_ = 100;
};

// --- 5. Hand-written pair: to_json complete, from_json drops a field --------
struct User {
  std::uint64_t id = 0;
  std::string name;
  std::string email;
  Role role = Role::Viewer;
  Address address;
  std::optional<std::string> nickname;
};

void to_json(json &j, const User &u) {
  j = json{{"id", u.id},     {"name", u.name},       {"email", u.email},
           {"role", u.role}, {"address", u.address}};
  if (u.nickname)
    j["nickname"] = *u.nickname;
}

void from_json(const json &j, User &u) { // expect: errorshield-json-field-coverage
  j.at("id").get_to(u.id);
  j.at("name").get_to(u.name);
  j.at("email").get_to(u.email);
  j.at("address").get_to(u.address);
  if (j.contains("nickname"))
    u.nickname = j.at("nickname").get<std::string>();
}

// --- 6. Hand-written, to_json drops a field, from_json is complete ----------
struct Team {
  std::string id;
  std::string display_name;
  std::vector<std::uint64_t> members;
  std::uint64_t owner_id = 0;
};

void to_json(json &j, const Team &t) { // expect: errorshield-json-field-coverage
  j["id"] = t.id;
  j["display_name"] = t.display_name;
  j["members"] = t.members;
}

void from_json(const json &j, Team &t) {
  t.id = j.at("id").get<std::string>();
  t.display_name = j.value("display_name", std::string{});
  t.members = j.value("members", std::vector<std::uint64_t>{});
  t.owner_id = j.value("owner_id", std::uint64_t{0});
}

// --- 7. Secrets deliberately excluded, documented ---------------------------
struct Credentials {
  std::string login;
  std::string password_hash; // NOLINT(errorshield-json-field-coverage): never leaves the server
  std::chrono::system_clock::time_point last_login;
};

void to_json(json &j, const Credentials &c) {
  // password_hash is intentionally not serialised: it never leaves the server.
  j = json{{"login", c.login},
           {"last_login", std::chrono::duration_cast<std::chrono::seconds>(
                              c.last_login.time_since_epoch())
                              .count()}};
}

// --- 8. Delegation to a helper that writes the remaining members -----------
struct AuditInfo {
  std::string created_by;
  std::int64_t created_at = 0;
  std::string updated_by;
  std::int64_t updated_at = 0;
};

static void write_updates(json &j, const AuditInfo &a) {
  j["updated_by"] = a.updated_by;
  j["updated_at"] = a.updated_at;
}

void to_json(json &j, const AuditInfo &a) {
  j["created_by"] = a.created_by;
  j["created_at"] = a.created_at;
  write_updates(j, a);
}

// --- 9. Derived struct: base members handled by base serializer -------------
struct Resource {
  std::string id;
  std::string kind;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Resource, id, kind)

struct Document : Resource {
  std::string title;
  std::string body;
  std::uint32_t revision = 0;
};

void to_json(json &j, const Document &d) { // expect: errorshield-json-field-coverage
  to_json(j, static_cast<const Resource &>(d));
  j["title"] = d.title;
  j["body"] = d.body;
}

// --- 10. Cache object with a mutex and a derived field ----------------------
struct Profile {
  std::uint64_t user_id = 0;
  std::string bio;
  std::vector<std::string> tags;
  mutable std::mutex mu;
};

void to_json(json &j, const Profile &p) {
  std::lock_guard<std::mutex> lk(p.mu);
  j = {{"user_id", p.user_id}, {"bio", p.bio}, {"tags", p.tags}};
}

// --- 11. WITH_DEFAULT macro, one field forgotten ----------------------------
struct SearchQuery {
  std::string q;
  int page = 1;
  int page_size = 50;
  std::string sort = "relevance";
  bool include_archived = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SearchQuery, q, page, page_size, sort) // expect: errorshield-json-field-coverage

// --- 12. Member function serializer -----------------------------------------
struct Notification {
  std::uint64_t id = 0;
  std::string channel;
  std::string text;
  bool read = false;

  json to_json() const { // expect: errorshield-json-field-coverage
    return json{{"id", id}, {"channel", channel}, {"text", text}};
  }
};

} // namespace api

// ---------------------------------------------------------------------------
// HTTP routing
// ---------------------------------------------------------------------------

http::response<http::string_body> route(const http::request<http::string_body> &req,
                                        std::map<std::uint64_t, api::User> &users) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  if (req.method() == http::verb::post && req.target() == "/users") {
    auto j = json::parse(req.body(), nullptr, false);
    if (j.is_discarded()) {
      res.result(http::status::bad_request);
    } else {
      auto u = j.get<api::User>();
      users[u.id] = u;
      res.body() = json(u).dump();
    }
  } else if (req.method() == http::verb::get && req.target() == "/prefs/defaults") {
    api::Preferences p{"en", "UTC", false, 20};
    res.body() = json(p).dump();
  } else if (req.target() == "/search") {
    auto q = json::parse(req.body(), nullptr, false).get<api::SearchQuery>();
    res.body() = json(q).dump();
  } else {
    res.result(http::status::not_found);
  }
  res.prepare_payload();
  return res;
}

int main() {
  std::map<std::uint64_t, api::User> users;
  http::request<http::string_body> req{http::verb::post, "/users", 11};
  req.body() = R"({"id":1,"name":"a","email":"a@b","role":"admin","address":{}})";
  auto res = route(req, users);
  api::Notification n;
  return res.body().empty() || n.to_json().empty();
}
