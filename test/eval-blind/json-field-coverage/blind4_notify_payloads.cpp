// checks: errorshield-json-field-coverage
// Payload types of a push-notification fan-out service.
#include <nlohmann/json.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

using nlohmann::json;

namespace notify {

enum class Channel { push, email, sms, websocket };
NLOHMANN_JSON_SERIALIZE_ENUM(Channel, {{Channel::push, "push"},
                                       {Channel::email, "email"},
                                       {Channel::sms, "sms"},
                                       {Channel::websocket, "ws"}})

enum class Priority { low, normal, high };
NLOHMANN_JSON_SERIALIZE_ENUM(Priority, {{Priority::low, "low"}, {Priority::normal, "normal"}, {Priority::high, "high"}})

struct Meta {
  std::string trace_id;
  std::map<std::string, std::string> tags;
};

static void write_meta(json& j, Meta const& m) {
  j["meta"] = {{"trace_id", m.trace_id}, {"tags", m.tags}};
}
static void read_meta(json const& j, Meta& m) {
  auto const& jm = j.at("meta");
  jm.at("trace_id").get_to(m.trace_id);
  jm.at("tags").get_to(m.tags);
}

struct Notification {
  std::string id;
  std::string recipient;
  Channel channel = Channel::push;
  Priority priority = Priority::normal;
  std::string title;
  std::string body;
  std::optional<int> badge;
  std::int64_t ttl_seconds = 3600;
  Meta meta;
};

void to_json(json& j, Notification const& n) {
  j["id"] = n.id;
  j["recipient"] = n.recipient;
  j["channel"] = n.channel;
  j["priority"] = n.priority;
  j["title"] = n.title;
  j["body"] = n.body;
  if (n.badge) j["badge"] = *n.badge;
  j["ttl"] = n.ttl_seconds;
  write_meta(j, n.meta);
}

void from_json(json const& j, Notification& n) {
  j.at("id").get_to(n.id);
  j.at("recipient").get_to(n.recipient);
  j.at("channel").get_to(n.channel);
  n.priority = j.value("priority", Priority::normal);
  j.at("title").get_to(n.title);
  j.at("body").get_to(n.body);
  if (j.contains("badge")) n.badge = j["badge"].get<int>();
  n.ttl_seconds = j.value("ttl", std::int64_t{3600});
  read_meta(j, n.meta);
}

// Email variant: derives from the base payload and adds fields.
struct EmailNotification : Notification {
  std::string from;
  std::vector<std::string> cc;
  std::string html_body;
};

void to_json(json& j, EmailNotification const& e) {
  to_json(j, static_cast<Notification const&>(e));
  j["from"] = e.from;
  j["cc"] = e.cc;
  j["html"] = e.html_body;
}

// SMS variant forgot the base payload entirely.
struct SmsNotification : Notification {
  std::string sender_id;
  bool flash = false;
};

void to_json(json& j, SmsNotification const& s) { // expect: errorshield-json-field-coverage
  j["sender_id"] = s.sender_id;
  j["flash"] = s.flash;
}

// Delivery receipt: copy-paste slip writes `status` twice, drops `error`.
struct DeliveryReceipt {
  std::string notification_id;
  std::string status;
  std::string error;
  std::int64_t delivered_at = 0;
};

void to_json(json& j, DeliveryReceipt const& r) { // expect: errorshield-json-field-coverage
  j = json::object();
  j["notification_id"] = r.notification_id;
  j["status"] = r.status;
  j["error"] = r.status;
  j["delivered_at"] = r.delivered_at;
}

// Subscription with friend functions inside the class.
class Subscription {
  std::string user_id_;
  std::vector<Channel> channels_;
  std::string locale_ = "en";
  std::string quiet_hours_;

public:
  friend void to_json(json& j, Subscription const& s) { // expect: errorshield-json-field-coverage
    j = json{{"user_id", s.user_id_}, {"channels", s.channels_}, {"locale", s.locale_}};
  }
  friend void from_json(json const& j, Subscription& s) { // expect: errorshield-json-field-coverage
    j.at("user_id").get_to(s.user_id_);
    j.at("channels").get_to(s.channels_);
  }
};

// Device registration: the APNs private key stays server-side on purpose.
struct Device {
  std::string device_id;
  std::string platform;
  std::string push_token;
  std::string apns_private_key;  // never serialized
  std::int64_t last_seen = 0;
};

void to_json(json& j, Device const& d) {
  j = {{"device_id", d.device_id},
       {"platform", d.platform},
       {"push_token", d.push_token},
       {"last_seen", d.last_seen}};
}

}  // namespace notify

// Third-party type mapped via adl_serializer.
namespace vendor {
struct Batch {
  std::string batch_id;
  std::vector<std::string> ids;
  int retries = 0;
  std::string region;
};
}  // namespace vendor

namespace nlohmann {
template <>
struct adl_serializer<vendor::Batch> {
  static void to_json(json& j, vendor::Batch const& b) { // expect: errorshield-json-field-coverage
    j = json{{"batch_id", b.batch_id}, {"ids", b.ids}, {"retries", b.retries}};
  }
  static void from_json(json const& j, vendor::Batch& b) {
    j.at("batch_id").get_to(b.batch_id);
    j.at("ids").get_to(b.ids);
    j.at("retries").get_to(b.retries);
    j.at("region").get_to(b.region);
  }
};
}  // namespace nlohmann

int main() {
  notify::Notification n;
  json j = n;
  auto n2 = j.get<notify::Notification>();
  notify::EmailNotification e;
  json je;
  to_json(je, e);
  notify::SmsNotification s;
  json js;
  to_json(js, s);
  notify::DeliveryReceipt r;
  json jr = r;
  notify::Subscription sub;
  json jsub = sub;
  sub = jsub.get<notify::Subscription>();
  notify::Device d;
  json jd = d;
  vendor::Batch b;
  json jb = b;
  b = jb.get<vendor::Batch>();
  (void)n2;
  return static_cast<int>(jr.size() + jd.size() + je.size() + js.size());
}
