#include "protocol.h"

#include "event_writer.h"
#include "request_fields.h"

#include <boost/locale/utf.hpp>

#include <array>

namespace chat {
namespace {

using Kind = RequestFields::Kind;

// Field names that carry money in any request: a JSON number there is refused outright.
constexpr std::array<std::string_view, 6> money_fields = {"amount", "price", "total",
                                                          "fee",    "balance", "cost"};

ProtocolError bad_request(std::string message, std::string id = {}) {
  return {"bad-request", std::move(message), std::move(id)};
}

std::optional<UserId> user_field(const RequestFields &j, std::string_view name) {
  const RequestFields::Value *value = j.find(name);
  if (!value || value->kind != Kind::Integer)
    return std::nullopt;
  return value->integer;
}

std::variant<Request, ProtocolError> parse_object(RequestFields &j) {
  const std::string id = j.take_string("id").value_or("");
  for (std::string_view field : money_fields) {
    const RequestFields::Value *value = j.find(field);
    if (value && (value->kind == Kind::Integer || value->kind == Kind::Float))
      return ProtocolError{"ES-NUMERIC-001",
                           "money field '" + std::string(field) +
                               "' must be a decimal string with a currency, not a JSON number "
                               "(binary floating point cannot hold 0.1) [ES-NUMERIC-001]",
                           id};
  }
  const std::string type = j.take_string("type").value_or("");
  if (type == "msg" || type == "pay") {
    std::optional<UserId> to = user_field(j, "to");
    if (!to)
      return bad_request("'to' must be an integer user id", id);
    if (type == "msg") {
      std::optional<std::string> text = j.take_string("text");
      if (!text)
        return bad_request("'text' must be a string", id);
      return Request{DirectMessage{*to, std::move(*text), id}};
    }
    std::optional<std::string> amount = j.take_string("amount");
    std::optional<std::string> currency = j.take_string("currency");
    std::optional<std::int64_t> minor = amount ? parse_minor_units(*amount) : std::nullopt;
    if (!minor || !currency || !is_currency_code(*currency))
      return bad_request("'amount' must be a decimal string with at most 2 decimals and "
                         "'currency' an ISO 4217 code",
                         id);
    return Request{Payment{*to, Money{*minor, std::move(*currency)}, id}};
  }
  if (type == "join" || type == "room") {
    std::optional<std::string> room = j.take_string("room");
    if (!room || room->empty())
      return bad_request("'room' must be a non-empty string", id);
    if (type == "join")
      return Request{JoinRoom{std::move(*room), id}};
    std::optional<std::string> text = j.take_string("text");
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
  RequestFields fields;
  const RequestFields::Outcome outcome = fields.parse(text);
  // Valid JSON is valid UTF-8 (the parser checks strings; all else is ASCII): only a message that
  // failed to parse needs the check.
  if (outcome == RequestFields::Outcome::NotJson && !is_utf8(text))
    return ProtocolError{"invalid-utf8", "a text message must be valid UTF-8", ""};
  if (outcome == RequestFields::Outcome::NotJson)
    return ProtocolError{"malformed-json", "the message is not valid JSON", ""};
  if (outcome == RequestFields::Outcome::TooDeep)
    return ProtocolError{"too-deep", "a message nests at most " +
                                         std::to_string(RequestFields::max_depth) + " levels deep",
                         ""};
  if (outcome == RequestFields::Outcome::NumberOutOfRange)
    return ProtocolError{"number-out-of-range", "a number is out of range", ""};
  if (outcome == RequestFields::Outcome::NotAnObject)
    return bad_request("a message is a JSON object");
  return parse_object(fields);
}

std::string direct_event(UserId from, const DirectMessage &m) {
  return EventWriter("msg").number("from", from).text("text", m.text).text("id", m.id).done();
}

std::string room_event(UserId from, const RoomMessage &m) {
  return EventWriter("room")
      .text("room", m.room)
      .number("from", from)
      .text("text", m.text)
      .text("id", m.id)
      .done();
}

std::string payment_event(UserId from, const Payment &p) {
  return EventWriter("pay")
      .number("from", from)
      .text("amount", format_minor_units(p.amount.minor_units))
      .text("currency", p.amount.currency)
      .text("id", p.id)
      .done();
}

std::string presence_event(UserId user, bool online) {
  return EventWriter("presence").number("user", user).flag("online", online).done();
}

std::string ack_event(const std::string &id, std::size_t delivered) {
  return EventWriter("ack").text("id", id).number("delivered", static_cast<std::int64_t>(delivered)).done();
}

std::string error_event(const ProtocolError &e) {
  return EventWriter("error").text("code", e.code).text("message", e.message).text("id", e.id).done();
}

} // namespace chat
