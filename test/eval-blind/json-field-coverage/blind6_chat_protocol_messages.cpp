// checks: errorshield-json-field-coverage
// Wire protocol for a group chat service: messages sent over a WebSocket as
// JSON, plus the persisted room/user records.
#include <nlohmann/json.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

using nlohmann::json;

namespace chat {

enum class Kind { text, image, system };

NLOHMANN_JSON_SERIALIZE_ENUM(Kind, {{Kind::text, "text"}, {Kind::image, "image"}, {Kind::system, "system"}})

struct Attachment {
  std::string url;
  std::string mime;
  std::uint64_t size = 0;
};
// Correct: every member listed.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Attachment, url, mime, size)

struct ChatMessage {
  std::string id;
  std::string room;
  std::string author;
  Kind kind = Kind::text;
  std::string body;
  std::int64_t sent_at_ms = 0;
  std::vector<Attachment> attachments;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ChatMessage, id, room, author, kind, body, attachments) // expect: errorshield-json-field-coverage

struct UserProfile {
  std::string user_id;
  std::string display_name;
  std::string avatar_url;
  bool online = false;
  // Not data members: a static default and member functions.
  static constexpr int kMaxNameLen = 64;
  bool has_avatar() const { return !avatar_url.empty(); }
};
// Correct: static constexpr and member functions are not instance data.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(UserProfile, user_id, display_name, avatar_url, online)

class RoomInfo {
 public:
  RoomInfo() = default;
  RoomInfo(std::string id, std::string topic) : id_(std::move(id)), topic_(std::move(topic)) {}
  std::string const& id() const { return id_; }

 private:
  std::string id_;
  std::string topic_;
  std::vector<std::string> moderators_;
  std::uint32_t member_count_ = 0;
  bool archived_ = false;

 public:
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(RoomInfo, id_, topic_, moderators_, member_count_) // expect: errorshield-json-field-coverage
};

class ReadReceipt {
 public:
  std::string message_id;
  std::string reader;
  std::int64_t read_at_ms = 0;
  // Correct: intrusive macro with all three members (order differs from declaration).
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(ReadReceipt, reader, read_at_ms, message_id)
};

// ---- hand-written serializers ---------------------------------------------

struct TypingEvent {
  std::string room;
  std::string user;
  bool typing = false;
  std::int64_t ttl_ms = 3000;
};

inline void to_json(json& j, TypingEvent const& e) { // expect: errorshield-json-field-coverage
  j = json{{"type", "typing"}, {"room", e.room}, {"user", e.user}};
}

inline void from_json(json const& j, TypingEvent& e) {
  j.at("room").get_to(e.room);
  j.at("user").get_to(e.user);
  e.typing = j.value("typing", true);
  e.ttl_ms = j.value("ttl_ms", std::int64_t{3000});
}

// Correct: optional member written conditionally, nested object for metadata,
// renamed keys. All four members are covered in both directions.
struct EditRequest {
  std::string message_id;
  std::string new_body;
  std::optional<std::string> reason;
  std::int64_t edited_at_ms = 0;
};

inline void to_json(json& j, EditRequest const& r) {
  j["msg"] = r.message_id;
  j["body"] = r.new_body;
  if (r.reason) j["meta"]["reason"] = *r.reason;
  j["meta"]["ts"] = r.edited_at_ms;
}

inline void from_json(json const& j, EditRequest& r) {
  r.message_id = j.at("msg").get<std::string>();
  r.new_body = j.at("body").get<std::string>();
  auto const& meta = j.at("meta");
  if (meta.contains("reason")) r.reason = meta["reason"].get<std::string>();
  else r.reason.reset();
  r.edited_at_ms = meta.value("ts", std::int64_t{0});
}

struct PresenceUpdate {
  std::string user;
  std::string status;       // "online", "away", ...
  std::string status_text;
  std::int64_t last_seen_ms = 0;
};

inline void to_json(json& j, PresenceUpdate const& p) {
  j = {{"user", p.user}, {"status", p.status}, {"text", p.status_text}, {"last_seen", p.last_seen_ms}};
}

inline void from_json(json const& j, PresenceUpdate& p) { // expect: errorshield-json-field-coverage
  j.at("user").get_to(p.user);
  j.at("status").get_to(p.status);
  p.last_seen_ms = j.value("last_seen", std::int64_t{0});
}

// Correct: friend serializers inside the class, fields spread over a helper.
class BanRecord {
 public:
  BanRecord() = default;

  friend void to_json(json& j, BanRecord const& b) {
    j = json::object();
    b.write_who(j);
    j["until"] = b.until_ms_;
    j["reason"] = b.reason_;
  }
  friend void from_json(json const& j, BanRecord& b) {
    b.room_ = j.at("room").get<std::string>();
    b.user_ = j.at("user").get<std::string>();
    b.until_ms_ = j.at("until").get<std::int64_t>();
    b.reason_ = j.value("reason", std::string{});
  }

 private:
  void write_who(json& j) const {
    j["room"] = room_;
    j["user"] = user_;
  }
  std::string room_;
  std::string user_;
  std::int64_t until_ms_ = 0;
  std::string reason_;
};

// A history page: hand-written, drops the pagination cursor.
class HistoryPage {
 public:
  std::vector<ChatMessage> messages;
  std::string next_cursor;
  bool has_more = false;

  friend void to_json(json& j, HistoryPage const& h) { // expect: errorshield-json-field-coverage
    j["messages"] = h.messages;
    j["has_more"] = h.has_more;
  }
  friend void from_json(json const& j, HistoryPage& h) {
    j.at("messages").get_to(h.messages);
    h.next_cursor = j.value("cursor", std::string{});
    h.has_more = j.value("has_more", false);
  }
};

}  // namespace chat

int main() {
  chat::ChatMessage m{"1", "lobby", "ana", chat::Kind::text, "hi", 0, {}};
  json j = m;
  auto back = j.get<chat::ChatMessage>();
  chat::HistoryPage page;
  page.messages.push_back(back);
  json hp = page;
  chat::EditRequest er = json::parse(R"({"msg":"1","body":"x","meta":{"ts":5}})").get<chat::EditRequest>();
  json e = er;
  return static_cast<int>(hp.size() + e.size());
}
