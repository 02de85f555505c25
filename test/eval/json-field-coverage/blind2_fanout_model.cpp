// checks: errorshield-json-field-coverage
// Notification fan-out service: wire model for campaigns, push targets, webhooks and receipts.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fanout::model {

using json = nlohmann::json;

struct PushTarget {
  std::string device_token;
  std::string platform;  // "apns" | "fcm" | "hms"
  std::string locale;
  int badge = 0;
  bool silent = false;
  std::string collapse_key;
  std::vector<std::string> topics;
  std::int64_t ttl_seconds = 0;
  std::string app_version;
};
// BUG: app_version is never read back from the queue payload.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PushTarget, device_token, platform, locale, badge, silent, collapse_key, topics, ttl_seconds)  // expect: errorshield-json-field-coverage

struct RetryPolicy {
  int max_attempts = 5;
  int base_delay_ms = 250;
  double multiplier = 2.0;
  int max_delay_ms = 60000;
  bool jitter = true;
};
// correct: every member is listed.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RetryPolicy, max_attempts, base_delay_ms, multiplier,
                                                max_delay_ms, jitter)

struct TopicSubscription {
  static inline const std::string kKind = "subscription";
  static constexpr int kSchema = 2;
  std::string topic;
  std::string user_id;
  bool muted = false;
};
// correct: static members do not count.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TopicSubscription, topic, user_id, muted)

class Campaign {
 public:
  static constexpr int kSchemaVersion = 3;

  Campaign() = default;
  const std::string& id() const { return id_; }

 private:
  std::string id_;
  std::string title_;
  std::string body_template_;
  std::vector<std::string> segments_;
  std::int64_t send_at_epoch_ = 0;
  int throttle_per_sec_ = 0;
  std::string created_by_;
  RetryPolicy retry_;

  // BUG: throttle_per_sec_ and created_by_ are silently dropped when campaigns are loaded.
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Campaign, id_, title_, body_template_, segments_,  // expect: errorshield-json-field-coverage
                                 send_at_epoch_, retry_)
};

class QuietHours {
  int start_minute_ = 22 * 60;
  int end_minute_ = 7 * 60;
  std::string timezone_ = "UTC";
  bool override_for_critical_ = true;

 public:
  bool covers(int minute) const { return minute >= start_minute_ || minute < end_minute_; }

  // BUG: override_for_critical_ stays at its default whatever the user configured.
  NLOHMANN_DEFINE_TYPE_INTRUSIVE_WITH_DEFAULT(QuietHours, start_minute_, end_minute_, timezone_)  // expect: errorshield-json-field-coverage
};

class ChannelQuota {
  std::string channel_;
  std::int64_t daily_limit_ = 0;
  std::int64_t burst_ = 0;

 public:
  static const char* kind() { return "quota"; }
  // correct: all three members listed.
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(ChannelQuota, channel_, daily_limit_, burst_)
};

struct WebhookEndpoint {
  std::string url;
  std::string hmac_secret;
  std::map<std::string, std::string> extra_headers;
  int timeout_ms = 3000;
  bool verify_tls = true;
};

// correct: to_json deliberately redacts the secret (only from_json coverage is checked).
void to_json(json& j, const WebhookEndpoint& w) {
  j = json{{"url", w.url}, {"extra_headers", w.extra_headers}, {"timeout_ms", w.timeout_ms},
           {"verify_tls", w.verify_tls}};
}

// BUG: timeout_ms is never read, every tenant gets the 3s default.
void from_json(nlohmann::json const& j, WebhookEndpoint& w) {  // expect: errorshield-json-field-coverage
  j.at("url").get_to(w.url);
  j.at("hmac_secret").get_to(w.hmac_secret);
  if (j.contains("extra_headers"))
    w.extra_headers = j["extra_headers"].get<std::map<std::string, std::string>>();
  w.verify_tls = j.value("verify_tls", true);
}

struct DeliveryReceipt {
  static constexpr const char* kTable = "receipts";
  std::string message_id;
  std::string target_token;
  std::string provider;
  int status_code = 0;
  std::int64_t delivered_at = 0;
  int retry_count = 0;
  std::string error;
};

// correct: every non-static member is written (get_to, value(), conditional assignment).
void from_json(const json& j, DeliveryReceipt& r) {
  j.at("message_id").get_to(r.message_id);
  j.at("target_token").get_to(r.target_token);
  r.provider = j.value("provider", std::string{"fcm"});
  r.status_code = j.at("status").get<int>();
  r.delivered_at = j.value("delivered_at", std::int64_t{0});
  r.retry_count = j.value("retries", 0);
  if (j.contains("error") && j["error"].is_string())
    r.error = j["error"].get<std::string>();
  else
    r.error.clear();
}

struct GeoFence {
  double lat = 0;
  double lon = 0;
  double radius_m = 0;
  std::string label;
};

struct Millis {
  std::int64_t count = 0;
};

}  // namespace fanout::model

namespace nlohmann {

template <>
struct adl_serializer<fanout::model::GeoFence> {
  static void to_json(json& j, const fanout::model::GeoFence& g) {
    j = json{{"lat", g.lat}, {"lon", g.lon}, {"r", g.radius_m}, {"label", g.label}};
  }
  // BUG: radius_m is never read, fences collapse to a point.
  static void from_json(const json& j, fanout::model::GeoFence& g) {  // expect: errorshield-json-field-coverage
    j.at("lat").get_to(g.lat);
    j.at("lon").get_to(g.lon);
    g.label = j.value("label", "");
  }
};

template <>
struct adl_serializer<fanout::model::Millis> {
  static void to_json(json& j, const fanout::model::Millis& m) { j = m.count; }
  // correct: the single member is written.
  static void from_json(const json& j, fanout::model::Millis& m) { m.count = j.get<std::int64_t>(); }
};

}  // namespace nlohmann

namespace fanout::model {

struct DispatchJob {
  PushTarget target;
  RetryPolicy retry;
  GeoFence fence;
  Millis deadline;
  QuietHours quiet;
};
// correct: all members of the composite listed.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DispatchJob, target, retry, fence, deadline, quiet)

inline DispatchJob parse_job(const std::string& raw) { return json::parse(raw).get<DispatchJob>(); }

}  // namespace fanout::model
