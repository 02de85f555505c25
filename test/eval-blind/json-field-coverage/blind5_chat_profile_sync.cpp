// checks: errorshield-json-field-coverage
// Profile/chat sync between the gateway (WebSocket edge) and the user service.
// Types live in a shared library; some come from a third-party SDK and are
// serialized via adl_serializer specialisations.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

using json = nlohmann::json;

namespace sdk {  // third-party types: cannot add members or friends
struct Attachment {
    std::string url;
    std::string mime_type;
    std::uint64_t size_bytes = 0;
    std::string sha256;
};

struct GeoPoint {
    double lat = 0.0;
    double lon = 0.0;
};
}  // namespace sdk

namespace nlohmann {
template <>
struct adl_serializer<sdk::Attachment> {
    static void to_json(json& j, const sdk::Attachment& a) { // expect: errorshield-json-field-coverage
        j = json{{"url", a.url}, {"size", a.size_bytes}, {"sha256", a.sha256}};
    }
    static void from_json(const json& j, sdk::Attachment& a) {
        a.url = j.at("url").get<std::string>();
        a.mime_type = j.value("mime", "application/octet-stream");
        a.size_bytes = j.at("size").get<std::uint64_t>();
        a.sha256 = j.at("sha256").get<std::string>();
    }
};

template <>
struct adl_serializer<sdk::GeoPoint> {
    // Compact [lat, lon] array form used by the mobile clients.
    static void to_json(json& j, const sdk::GeoPoint& p) { j = json::array({p.lat, p.lon}); }
    static void from_json(const json& j, sdk::GeoPoint& p) {
        p.lat = j.at(0).get<double>();
        p.lon = j.at(1).get<double>();
    }
};
}  // namespace nlohmann

namespace chat {

struct UserProfile {
    std::string user_id;
    std::string display_name;
    std::string avatar_url;
    std::string locale = "en";
    bool verified = false;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(UserProfile, user_id, display_name, locale, verified) // expect: errorshield-json-field-coverage

struct NotificationPrefs {
    bool push_enabled = true;
    bool email_digest = false;
    int quiet_hours_start = 22;
    int quiet_hours_end = 7;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(NotificationPrefs, push_enabled, email_digest, quiet_hours_start,
                                                quiet_hours_end)

struct Message {
    std::string message_id;
    std::string room_id;
    std::string author_id;
    std::string body;
    std::vector<sdk::Attachment> attachments;
    std::int64_t sent_at_ms = 0;
    std::map<std::string, int> reactions;

    NLOHMANN_DEFINE_TYPE_INTRUSIVE(Message, message_id, room_id, author_id, body, attachments, sent_at_ms,
                                   reactions)
};

// Edit event: the base part is written by the base serializer, so the derived
// mapping only needs its own members.
struct EventHeader {
    std::string event_id;
    std::int64_t ts_ms = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EventHeader, event_id, ts_ms)

struct MessageEdited : EventHeader {
    std::string message_id;
    std::string new_body;
};

void to_json(json& j, const MessageEdited& e) {
    to_json(j, static_cast<const EventHeader&>(e));
    j["message_id"] = e.message_id;
    j["new_body"] = e.new_body;
}

void from_json(const json& j, MessageEdited& e) {
    from_json(j, static_cast<EventHeader&>(e));
    j.at("message_id").get_to(e.message_id);
    j.at("new_body").get_to(e.new_body);
}

struct LocationShare : EventHeader {
    std::string user_id;
    sdk::GeoPoint where;
    int accuracy_m = 0;
};

void to_json(json& j, const LocationShare& e) {
    to_json(j, static_cast<const EventHeader&>(e));
    j["user_id"] = e.user_id;
    j["where"] = e.where;
    j["accuracy_m"] = e.accuracy_m;
}

void from_json(const json& j, LocationShare& e) { // expect: errorshield-json-field-coverage
    from_json(j, static_cast<EventHeader&>(e));
    j.at("user_id").get_to(e.user_id);
    j.at("where").get_to(e.where);
}

// Room metadata, hand-written because of the legacy key layout.
class RoomInfo {
public:
    std::string id;
    std::string title;
    std::string topic;
    std::vector<std::string> moderators;
    std::uint32_t member_count = 0;

    json to_wire() const { // expect: errorshield-json-field-coverage
        return json{{"id", id}, {"title", title}, {"mods", moderators}, {"members", member_count}};
    }

    static RoomInfo from_wire(const json& j) {
        RoomInfo r;
        r.id = j.at("id").get<std::string>();
        r.title = j.at("title").get<std::string>();
        r.topic = j.value("topic", "");
        r.moderators = j.value("mods", std::vector<std::string>{});
        r.member_count = j.value("members", 0u);
        return r;
    }

private:
    mutable std::chrono::steady_clock::time_point last_render_{};  // local render cache
};

struct TypingIndicator {
    std::string room_id;
    std::string user_id;
    bool typing = false;

    json to_wire() const {
        json j;
        j["room"] = room_id;
        j["user"] = user_id;
        j["typing"] = typing;
        return j;
    }
};

struct ReadReceipt {
    std::string room_id;
    std::string user_id;
    std::string last_read_message_id;
    std::int64_t read_at_ms = 0;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ReadReceipt, room_id, user_id, read_at_ms) // expect: errorshield-json-field-coverage

}  // namespace chat

std::string encode_message(const chat::Message& m) { return json(m).dump(); }
std::string encode_profile(const chat::UserProfile& p) { return json(p).dump(); }
std::string encode_prefs(const chat::NotificationPrefs& p) { return json(p).dump(); }
