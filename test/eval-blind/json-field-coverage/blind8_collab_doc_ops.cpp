// checks: errorshield-json-field-coverage
// Collaborative document editing: wire types exchanged between the editor clients and
// the operational-transform server. Every message round-trips through nlohmann::json.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

using json = nlohmann::json;

namespace collab {

struct CursorPos {
  int line = 0;
  int column = 0;
  std::string user_id;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CursorPos, line, column, user_id)

struct TextSpan {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TextSpan, offset) // expect: errorshield-json-field-coverage

enum class OpKind { Insert, Delete, Format };
NLOHMANN_JSON_SERIALIZE_ENUM(OpKind, {
    {OpKind::Insert, "insert"},
    {OpKind::Delete, "delete"},
    {OpKind::Format, "format"},
})

struct EditOp {
  std::string doc_id;
  std::uint64_t base_revision = 0;
  OpKind kind = OpKind::Insert;
  TextSpan span;
  std::string text;
  std::string author_id;
  std::int64_t client_ts_ms = 0;
};

void to_json(json& j, const EditOp& op) {
  j = json{{"doc_id", op.doc_id},   {"base_rev", op.base_revision}, {"kind", op.kind},
           {"span", op.span},       {"text", op.text},              {"author", op.author_id},
           {"client_ts", op.client_ts_ms}};
}

void from_json(const json& j, EditOp& op) {
  j.at("doc_id").get_to(op.doc_id);
  j.at("base_revision").get_to(op.base_revision); // expect: errorshield-json-field-coverage
  j.at("kind").get_to(op.kind);
  j.at("span").get_to(op.span);
  op.text = j.value("text", std::string{});
  j.at("author").get_to(op.author_id);
  j.at("client_ts").get_to(op.client_ts_ms);
}

// Suggestions are edits that still need an owner's approval; base fields come from EditOp.
struct SuggestionOp : EditOp {
  std::string suggestion_id;
  bool accepted = false;
};

void to_json(json& j, const SuggestionOp& s) {
  to_json(j, static_cast<const EditOp&>(s));
  j["suggestion_id"] = s.suggestion_id;
  j["accepted"] = s.accepted;
}

void from_json(const json& j, SuggestionOp& s) {
  from_json(j, static_cast<EditOp&>(s));
  j.at("suggestion_id").get_to(s.suggestion_id);
  s.accepted = j.value("accepted", false);
}

// Keys shared between both directions so renames cannot drift apart.
namespace keys {
constexpr const char* kDoc = "doc";
constexpr const char* kRevision = "rev";
constexpr const char* kContent = "content";
constexpr const char* kCursors = "cursors";
constexpr const char* kSchema = "schema";
} // namespace keys

struct DocSnapshot {
  static constexpr int kSchemaVersion = 3; // class constant, not per-instance state
  std::string doc_id;
  std::uint64_t revision = 0;
  std::string content;
  std::vector<CursorPos> cursors;
};

void to_json(json& j, const DocSnapshot& d) {
  j[keys::kSchema] = DocSnapshot::kSchemaVersion;
  j[keys::kDoc] = d.doc_id;
  j[keys::kRevision] = d.revision;
  j[keys::kContent] = d.content;
  j[keys::kCursors] = d.cursors;
}

void from_json(const json& j, DocSnapshot& d) {
  j.at(keys::kDoc).get_to(d.doc_id);
  j.at(keys::kRevision).get_to(d.revision);
  j.at(keys::kContent).get_to(d.content);
  d.cursors = j.value(keys::kCursors, std::vector<CursorPos>{});
}

struct PresenceUpdate {
  std::string user_id;
  std::string display_name;
  std::string color_hex;
  bool idle = false;
  std::optional<TextSpan> selection;
};

void to_json(json& j, const PresenceUpdate& p) { // expect: errorshield-json-field-coverage
  j["user_id"] = p.user_id;
  j["name"] = p.display_name;
  j["idle"] = p.idle;
  if (p.selection) j["selection"] = *p.selection;
}

void from_json(const json& j, PresenceUpdate& p) {
  j.at("user_id").get_to(p.user_id);
  j.at("name").get_to(p.display_name);
  p.color_hex = j.value("color", "#888888");
  p.idle = j.value("idle", false);
  if (j.contains("selection"))
    p.selection = j.at("selection").get<TextSpan>();
  else
    p.selection.reset();
}

struct CommentReply {
  std::string author_id;
  std::string body;
  std::int64_t created_ms = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CommentReply, author_id, body, created_ms)

struct CommentThread {
  std::string thread_id;
  TextSpan anchor;
  bool resolved = false;
  std::vector<CommentReply> replies;
};

void to_json(json& j, const CommentThread& c) {
  j = {{"id", c.thread_id}, {"anchor", c.anchor}, {"resolved", c.resolved}, {"replies", c.replies}};
}

void from_json(const json& j, CommentThread& c) { // expect: errorshield-json-field-coverage
  j.at("id").get_to(c.thread_id);
  j.at("anchor").get_to(c.anchor);
  j.at("replies").get_to(c.replies);
}

// Ack sent by the server after transforming an op. Metadata is nested on the wire.
struct OpAck {
  std::string doc_id;
  std::uint64_t new_revision = 0;
  std::string server_id;
  std::int64_t server_ts_ms = 0;
};

void to_json(json& j, const OpAck& a) {
  j["doc_id"] = a.doc_id;
  j["revision"] = a.new_revision;
  j["meta"] = {{"server", a.server_id}, {"ts", a.server_ts_ms}};
}

void from_json(const json& j, OpAck& a) {
  j.at("doc_id").get_to(a.doc_id);
  j.at("revision").get_to(a.new_revision);
  const json& meta = j.at("meta");
  meta.at("server").get_to(a.server_id);
  meta.at("ts").get_to(a.server_ts_ms);
}

// Helper-based mapping: common envelope fields are handled in one place.
struct Envelope {
  std::string type;
  std::string session_id;
  std::uint64_t seq = 0;
};

struct UndoRequest {
  Envelope env;
  std::uint64_t target_revision = 0;
};

static void write_envelope(json& j, const Envelope& e) {
  j["type"] = e.type;
  j["session"] = e.session_id;
  j["seq"] = e.seq;
}

static void read_envelope(const json& j, Envelope& e) {
  j.at("type").get_to(e.type);
  j.at("session").get_to(e.session_id);
  j.at("seq").get_to(e.seq);
}

void to_json(json& j, const UndoRequest& u) {
  write_envelope(j, u.env);
  j["target_rev"] = u.target_revision;
}

void from_json(const json& j, UndoRequest& u) {
  read_envelope(j, u.env);
  j.at("target_rev").get_to(u.target_revision);
}

} // namespace collab

// Server-side dispatch of a raw client frame.
std::string apply_client_frame(const std::string& frame, std::uint64_t& head_revision) {
  json in = json::parse(frame, nullptr, false);
  if (in.is_discarded() || !in.is_object()) return R"({"type":"error","reason":"bad json"})";
  const std::string type = in.value("type", "");
  if (type == "op" || type == "suggest") {
    auto op = in.get<collab::EditOp>();
    if (op.base_revision != head_revision) return R"({"type":"error","reason":"stale"})";
    collab::OpAck ack{op.doc_id, ++head_revision, "ot-1", op.client_ts_ms};
    return json(ack).dump();
  }
  if (type == "undo") {
    auto undo = in.get<collab::UndoRequest>();
    head_revision = undo.target_revision;
    return json{{"type", "undone"}, {"rev", head_revision}}.dump();
  }
  if (type == "presence") {
    auto p = in.get<collab::PresenceUpdate>();
    return json(p).dump();
  }
  return R"({"type":"error","reason":"unknown"})";
}
