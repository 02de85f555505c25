// The checks a WebSocket upgrade request must pass before it is accepted.
#pragma once

#include "beast.h"
#include "protocol.h"

#include <optional>
#include <string>
#include <vector>

namespace chat {

inline constexpr const char *subprotocol = "chat.v1";

struct HandshakeVerdict {
  http::status status = http::status::ok; // ok: accept; anything else: refuse with it.
  std::string reason;
  UserId user = 0;
  std::string subprotocol; // What to answer in Sec-WebSocket-Protocol ("" when none was offered).
};

// Origin (when present) must be allowed: a browser page from another site must not open a socket
// with the user's cookies (cross-site WebSocket hijacking). The user id comes from `?user=<id>` or
// `Authorization: Bearer user-<id>`. A client that offers subprotocols must offer chat.v1.
HandshakeVerdict check_handshake(const http::request<http::string_body> &request,
                                 const std::vector<std::string> &allowed_origins);

} // namespace chat
