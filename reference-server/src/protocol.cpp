#include "protocol.h"

#include <boost/locale/utf.hpp>
#include <nlohmann/json.hpp>

#include <array>

namespace chat {
namespace {

using nlohmann::json;

// Field names that carry money in any request: a JSON number there is refused outright.
constexpr std::array<std::string_view, 6> money_fields = {"amount", "price", "total",
                                                          "fee",    "balance", "cost"};

ProtocolError bad_request(std::string message, std::string id = {}) {
  return {"bad-request", std::move(message), std::move(id)};
}

std::optional<std::string> string_field(const json &j, const char *name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string())
    return std::nullopt;
  return it->get<std::string>();
}

std::optional<UserId> user_field(const json &j, const char *name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_integer())
    return std::nullopt;
  return it->get<UserId>();
}

std::variant<Request, ProtocolError> parse_object(const json &j) {
  const std::string id = string_field(j, "id").value_or("");
  for (std::string_view field : money_fields) {
    auto it = j.find(std::string(field));
    if (it != j.end() && it->is_number())
      return ProtocolError{"ES-NUMERIC-001",
                           "money field '" + std::string(field) +
                               "' must be a decimal string with a currency, not a JSON number "
                               "(binary floating point cannot hold 0.1) [ES-NUMERIC-001]",
                           id};
  }
  const std::string type = string_field(j, "type").value_or("");
  if (type == "msg" || type == "pay") {
    std::optional<UserId> to = user_field(j, "to");
    if (!to)
      return bad_request("'to' must be an integer user id", id);
    if (type == "msg") {
      std::optional<std::string> text = string_field(j, "text");
      if (!text)
        return bad_request("'text' must be a string", id);
      return Request{DirectMessage{*to, std::move(*text), id}};
    }
    std::optional<std::string> amount = string_field(j, "amount");
    std::optional<std::string> currency = string_field(j, "currency");
    std::optional<std::int64_t> minor = amount ? parse_minor_units(*amount) : std::nullopt;
    if (!minor || !currency || !is_currency_code(*currency))
      return bad_request("'amount' must be a decimal string with at most 2 decimals and "
                         "'currency' an ISO 4217 code",
                         id);
    return Request{Payment{*to, Money{*minor, std::move(*currency)}, id}};
  }
  if (type == "join" || type == "room") {
    std::optional<std::string> room = string_field(j, "room");
    if (!room || room->empty())
      return bad_request("'room' must be a non-empty string", id);
    if (type == "join")
      return Request{JoinRoom{std::move(*room), id}};
    std::optional<std::string> text = string_field(j, "text");
    if (!text)
      return bad_request("'text' must be a string", id);
    return Request{RoomMessage{std::move(*room), std::move(*text), id}};
  }
  return ProtocolError{"unknown-type", "unknown message type '" + type + "'", id};
}

// Boost.Locale's strict decoder (header-only): no overlong forms, surrogates or code points past
// U+10FFFF, and no sequence cut short.
bool is_utf8(std::string_view text) {
  using Utf8 = boost::locale::utf::utf_traits<char>;
  for (auto p = text.begin(); p != text.end();) {
    const boost::locale::utf::code_point c = Utf8::decode(p, text.end());
    if (c == boost::locale::utf::illegal || c == boost::locale::utf::incomplete)
      return false;
  }
  return true;
}

} // namespace

std::variant<Request, ProtocolError> parse_request(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  // Valid JSON is valid UTF-8 (the parser checks strings; all else is ASCII): only a message that
  // failed to parse needs the check.
  if (j.is_discarded() && !is_utf8(text))
    return ProtocolError{"invalid-utf8", "a text message must be valid UTF-8", ""};
  if (j.is_discarded())
    return ProtocolError{"malformed-json", "the message is not valid JSON", ""};
  if (!j.is_object())
    return bad_request("a message is a JSON object");
  return parse_object(j);
}

std::string direct_event(UserId from, const DirectMessage &m) {
  return json{{"type", "msg"}, {"from", from}, {"text", m.text}, {"id", m.id}}.dump();
}

std::string room_event(UserId from, const RoomMessage &m) {
  return json{{"type", "room"}, {"room", m.room}, {"from", from}, {"text", m.text}, {"id", m.id}}
      .dump();
}

std::string payment_event(UserId from, const Payment &p) {
  return json{{"type", "pay"},
              {"from", from},
              {"amount", format_minor_units(p.amount.minor_units)},
              {"currency", p.amount.currency},
              {"id", p.id}}
      .dump();
}

std::string presence_event(UserId user, bool online) {
  return json{{"type", "presence"}, {"user", user}, {"online", online}}.dump();
}

std::string ack_event(const std::string &id, std::size_t delivered) {
  return json{{"type", "ack"}, {"id", id}, {"delivered", delivered}}.dump();
}

std::string error_event(const ProtocolError &e) {
  return json{{"type", "error"}, {"code", e.code}, {"message", e.message}, {"id", e.id}}.dump();
}

} // namespace chat
