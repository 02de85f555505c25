// The chat protocol: JSON text messages in both directions.
//
//   client -> server                                         server -> client
//   {"type":"msg","to":1002,"text":"hi","id":"c1"}          {"type":"msg","from":1001,"text":"hi","id":"c1"}
//   {"type":"join","room":"lobby","id":"j"}                 {"type":"ack","id":"c1","delivered":2}
//   {"type":"room","room":"lobby","text":"hi","id":"c2"}    {"type":"room","room":"lobby","from":1001,...}
//   {"type":"pay","to":1002,"amount":"19.99",               {"type":"pay","from":1001,"amount":"19.99",...}
//    "currency":"EUR","id":"c3"}                            {"type":"presence","user":1003,"online":false}
//                                                           {"type":"error","code":"...","message":"...","id":"c1"}
//
// Money fields must be decimal strings with a currency; a JSON number there is rejected with the
// catalog's pattern id (ES-NUMERIC-001) as the error code.
#pragma once

#include "money.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace chat {

using UserId = std::int64_t;

struct DirectMessage {
  UserId to = 0;
  std::string text;
  std::string id;
};
struct JoinRoom {
  std::string room;
  std::string id;
};
struct RoomMessage {
  std::string room;
  std::string text;
  std::string id;
};
struct Payment {
  UserId to = 0;
  Money amount;
  std::string id;
};
using Request = std::variant<DirectMessage, JoinRoom, RoomMessage, Payment>;

struct ProtocolError {
  std::string code; // malformed-json, invalid-utf8, bad-request, unknown-type, ES-NUMERIC-001, ...
  std::string message;
  std::string id;   // The request's id when it had one.
};

// Parses one client message. Never throws. A message that is not JSON and not even UTF-8 is
// "invalid-utf8": the WebSocket layer should have refused it (1007), and Beast 1.81 does, except
// when a fragmented message ends in an empty frame right after an incomplete sequence.
std::variant<Request, ProtocolError> parse_request(std::string_view text);

std::string direct_event(UserId from, const DirectMessage &m);
std::string room_event(UserId from, const RoomMessage &m);
std::string payment_event(UserId from, const Payment &p);
std::string presence_event(UserId user, bool online);
std::string ack_event(const std::string &id, std::size_t delivered);
std::string error_event(const ProtocolError &e);

} // namespace chat
