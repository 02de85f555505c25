// libFuzzer target: one client message through the server's parsing and rendering, as handle()
// does with it, under AddressSanitizer and UndefinedBehaviorSanitizer. Money round trips are checked
// on the way: a parsed amount renders back to a string that parses to the same minor units.
#include "money.h"
#include "protocol.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  auto parsed = chat::parse_request(text);
  if (const auto *error = std::get_if<chat::ProtocolError>(&parsed)) {
    (void)chat::error_event(*error);
    return 0;
  }
  const chat::Request &request = std::get<chat::Request>(parsed);
  if (const auto *m = std::get_if<chat::DirectMessage>(&request)) {
    (void)chat::direct_event(1001, *m);
    (void)chat::ack_event(m->id, 1);
  } else if (const auto *p = std::get_if<chat::Payment>(&request)) {
    const std::string rendered = chat::format_minor_units(p->amount.minor_units);
    if (chat::parse_minor_units(rendered) != p->amount.minor_units)
      std::abort(); // Money must survive a round trip exactly.
    (void)chat::payment_event(1001, *p);
  } else if (const auto *r = std::get_if<chat::RoomMessage>(&request)) {
    (void)chat::room_event(1001, *r);
  } else if (const auto *j = std::get_if<chat::JoinRoom>(&request)) {
    (void)chat::presence_event(1001, !j->room.empty());
  }
  return 0;
}
