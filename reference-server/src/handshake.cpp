#include "handshake.h"

#include <algorithm>
#include <charconv>

namespace chat {
namespace {

std::optional<UserId> parse_user(std::string_view text) {
  UserId id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id <= 0)
    return std::nullopt;
  return id;
}

std::optional<UserId> user_of(const http::request<http::string_body> &request) {
  std::string_view target = request.target();
  if (auto q = target.find("?user="); q != std::string_view::npos)
    return parse_user(target.substr(q + 6, target.find('&', q + 6) - (q + 6)));
  std::string_view auth = request[http::field::authorization];
  constexpr std::string_view bearer = "Bearer user-";
  if (auth.substr(0, bearer.size()) == bearer)
    return parse_user(auth.substr(bearer.size()));
  return std::nullopt;
}

bool offers(std::string_view header, std::string_view protocol) {
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (item == protocol)
      return true;
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
  }
  return false;
}

} // namespace

HandshakeVerdict check_handshake(const http::request<http::string_body> &request,
                                 const std::vector<std::string> &allowed_origins) {
  HandshakeVerdict v;
  std::string_view origin = request[http::field::origin];
  if (!origin.empty() &&
      std::find(allowed_origins.begin(), allowed_origins.end(), origin) == allowed_origins.end())
    return {http::status::forbidden, "origin not allowed", 0, ""};
  std::optional<UserId> user = user_of(request);
  if (!user)
    return {http::status::unauthorized, "missing or invalid user id", 0, ""};
  v.user = *user;
  std::string_view offered = request[http::field::sec_websocket_protocol];
  if (!offered.empty()) {
    if (!offers(offered, subprotocol))
      return {http::status::bad_request, "subprotocol chat.v1 not offered", 0, ""};
    v.subprotocol = subprotocol;
  }
  return v;
}

} // namespace chat
