// libFuzzer target: one client message through the server's parsing and rendering, as handle()
// does with it, under AddressSanitizer and UndefinedBehaviorSanitizer, with three oracles:
// - the request reader (SAX, top-level fields only) agrees with an nlohmann document of the same
//   text on whether it is JSON, whether it is an object, and on every field a request took;
// - every event the server writes parses back (nlohmann) to exactly the fields it was given;
// - money survives a round trip: a parsed amount renders to a string that parses to the same units.
#include "money.h"
#include "protocol.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

namespace {

using nlohmann::json;

void require(bool condition) {
  if (!condition)
    std::abort();
}

void event_is(const std::string &event, const json &expected) {
  json parsed = json::parse(event, nullptr, /*allow_exceptions=*/false);
  require(!parsed.is_discarded() && parsed == expected);
}

std::string string_or_empty(const json &j, const char *name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// What a request took from the document must be what the document holds.
void same_fields(const json &j, const chat::Request &request) {
  if (const auto *m = std::get_if<chat::DirectMessage>(&request))
    require(j.at("to").get<chat::UserId>() == m->to && j.at("text") == m->text &&
            string_or_empty(j, "id") == m->id);
  else if (const auto *r = std::get_if<chat::RoomMessage>(&request))
    require(j.at("room") == r->room && j.at("text") == r->text && string_or_empty(j, "id") == r->id);
  else if (const auto *g = std::get_if<chat::JoinRoom>(&request))
    require(j.at("room") == g->room && string_or_empty(j, "id") == g->id);
  else if (const auto *p = std::get_if<chat::Payment>(&request))
    require(j.at("to").get<chat::UserId>() == p->to && j.at("currency") == p->amount.currency &&
            string_or_empty(j, "id") == p->id);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  const json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  auto parsed = chat::parse_request(text);
  if (const auto *error = std::get_if<chat::ProtocolError>(&parsed)) {
    const bool not_json = error->code == "malformed-json" || error->code == "invalid-utf8";
    require(not_json == document.is_discarded());
    if (!document.is_discarded() && !document.is_object())
      require(error->code == "bad-request");
    event_is(chat::error_event(*error), {{"type", "error"},
                                         {"code", error->code},
                                         {"message", error->message},
                                         {"id", error->id}});
    return 0;
  }
  require(document.is_object());
  const chat::Request &request = std::get<chat::Request>(parsed);
  same_fields(document, request);
  if (const auto *m = std::get_if<chat::DirectMessage>(&request)) {
    event_is(chat::direct_event(1001, *m),
             {{"type", "msg"}, {"from", 1001}, {"text", m->text}, {"id", m->id}});
    event_is(chat::ack_event(m->id, 2), {{"type", "ack"}, {"id", m->id}, {"delivered", 2}});
  } else if (const auto *p = std::get_if<chat::Payment>(&request)) {
    const std::string rendered = chat::format_minor_units(p->amount.minor_units);
    require(chat::parse_minor_units(rendered) == p->amount.minor_units);
    event_is(chat::payment_event(1001, *p), {{"type", "pay"},
                                             {"from", 1001},
                                             {"amount", rendered},
                                             {"currency", p->amount.currency},
                                             {"id", p->id}});
  } else if (const auto *r = std::get_if<chat::RoomMessage>(&request)) {
    event_is(chat::room_event(-7, *r), {{"type", "room"},
                                        {"room", r->room},
                                        {"from", -7},
                                        {"text", r->text},
                                        {"id", r->id}});
  } else if (const auto *j = std::get_if<chat::JoinRoom>(&request)) {
    event_is(chat::presence_event(1001, j->room.size() % 2 == 0),
             {{"type", "presence"}, {"user", 1001}, {"online", j->room.size() % 2 == 0}});
  }
  return 0;
}
