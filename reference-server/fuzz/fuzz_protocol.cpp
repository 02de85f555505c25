// libFuzzer target: one client message through the server's parsing and rendering, as handle()
// does with it, under AddressSanitizer and UndefinedBehaviorSanitizer, with three oracles:
// - the request reader (Boost.JSON events, top-level fields only) agrees with an nlohmann
//   document of the same text on whether it is JSON, whether it is an object, and on every field
//   a request took; what it refuses as too deep does nest that deep;
// - every event the server writes parses back (nlohmann) to exactly the fields it was given;
// - money survives a round trip: a parsed amount renders to a string that parses to the same units.
#include "money.h"
#include "protocol.h"
#include "request_fields.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
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

// Calls visit(i) for each byte of `text` outside JSON strings (no validation: these count what
// the text holds, to check a refusal that does not depend on the rest parsing).
template <class Visit> void outside_strings(std::string_view text, Visit visit) {
  bool in_string = false, escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (escaped) {
      escaped = false;
    } else if (in_string) {
      escaped = text[i] == '\\';
      in_string = text[i] != '"';
    } else if (text[i] == '"') {
      in_string = true;
    } else {
      visit(i);
    }
  }
}

// The deepest nesting of arrays and objects in `text`.
std::size_t deepest_nesting(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  outside_strings(text, [&](std::size_t i) {
    if (text[i] == '[' || text[i] == '{')
      deepest = std::max(deepest, ++depth);
    else if ((text[i] == ']' || text[i] == '}') && depth > 0)
      --depth;
  });
  return deepest;
}

// The most digits in one exponent of a number in `text`.
std::size_t longest_exponent(std::string_view text) {
  const auto digit = [&](std::size_t i) {
    return i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]));
  };
  std::size_t longest = 0;
  outside_strings(text, [&](std::size_t i) {
    if ((text[i] != 'e' && text[i] != 'E') || i == 0 || !digit(i - 1))
      return;
    std::size_t end = i + 1;
    if (end < text.size() && (text[end] == '+' || text[end] == '-'))
      ++end;
    const std::size_t first = end;
    while (digit(end))
      ++end;
    longest = std::max(longest, end - first);
  });
  return longest;
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
            chat::parse_minor_units(j.at("amount").get<std::string>()) == p->amount.minor_units &&
            string_or_empty(j, "id") == p->id);
}

// What a request object should come to, worked out from the nlohmann document on its own: an
// error code, or the type of the request accepted. (The protocol as README.md states it.)
std::string expected_outcome(const json &j) {
  for (const char *money : {"amount", "price", "total", "fee", "balance", "cost"})
    if (j.contains(money) && j.at(money).is_number())
      return "ES-NUMERIC-001";
  const auto is = [&](const char *name, auto test) { return j.contains(name) && test(j.at(name)); };
  const auto string = [](const json &v) { return v.is_string(); };
  const std::string type = string_or_empty(j, "type");
  if (type == "msg" || type == "pay") {
    if (!is("to", [](const json &v) { return v.is_number_integer(); }))
      return "bad-request";
    if (type == "msg")
      return is("text", string) ? type : "bad-request";
    const bool amount = is("amount", [](const json &v) {
      return v.is_string() && chat::parse_minor_units(v.get<std::string>()).has_value();
    });
    const bool currency = is("currency", [](const json &v) {
      return v.is_string() && chat::is_currency_code(v.get<std::string>());
    });
    return amount && currency ? type : "bad-request";
  }
  if (type == "join" || type == "room") {
    if (!is("room", [](const json &v) { return v.is_string() && !v.get<std::string>().empty(); }))
      return "bad-request";
    return type == "join" || is("text", string) ? type : "bad-request";
  }
  return "unknown-type";
}

std::string type_of(const chat::Request &request) {
  if (std::holds_alternative<chat::DirectMessage>(request))
    return "msg";
  if (std::holds_alternative<chat::Payment>(request))
    return "pay";
  if (std::holds_alternative<chat::JoinRoom>(request))
    return "join";
  return "room";
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  const json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  // nlohmann takes a NUL byte for the end of its input ("8\0junk" parses as 8); RFC 8259 allows
  // none anywhere, so a text holding one is not JSON whatever nlohmann says.
  const bool is_json = !document.is_discarded() && text.find('\0') == std::string_view::npos;
  auto parsed = chat::parse_request(text);
  if (const auto *error = std::get_if<chat::ProtocolError>(&parsed)) {
    const bool not_json = error->code == "malformed-json" || error->code == "invalid-utf8";
    // Refused for its depth alone, valid or not: the text must open that many levels.
    if (error->code == "too-deep")
      require(deepest_nesting(text) > chat::RequestFields::max_depth);
    else if (error->code == "number-out-of-range") // nlohmann's limit is the double's alone.
      require(!is_json || longest_exponent(text) >= 10);
    else
      require(not_json == !is_json &&
              (!is_json || document.is_object() || error->code == "bad-request"));
    // A request refused for what it says: refused with its own id, for the reason it has.
    if (is_json && document.is_object() && error->code != "too-deep" &&
        error->code != "number-out-of-range")
      require(error->id == string_or_empty(document, "id") &&
              error->code == expected_outcome(document));
    event_is(chat::error_event(*error), {{"type", "error"},
                                         {"code", error->code},
                                         {"message", error->message},
                                         {"id", error->id}});
    return 0;
  }
  require(is_json && document.is_object() &&
          deepest_nesting(text) <= chat::RequestFields::max_depth);
  const chat::Request &request = std::get<chat::Request>(parsed);
  require(expected_outcome(document) == type_of(request));
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
