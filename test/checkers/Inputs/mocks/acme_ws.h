// A second WebSocket library whose shapes are like Beast's, added to the checks by catalog data
// alone (Inputs/catalogs/extra-websocket.json).
#pragma once
#include "websocket.h"

namespace acme {
namespace wsock {
struct upgrade_request {
  const char *find(std::string_view) const;
  const char *end() const;
  std::string_view operator[](std::string_view) const;
};
class session {
public:
  void accept() {}
  void accept(const upgrade_request &) {}
  void read(boost::beast::flat_buffer &) {}
  void set_max_message_size(size_t) {}
  void text(bool) {}
  void write(boost::asio::const_buffer) {}
  void shutdown(boost::beast::websocket::close_reason) {}
  template <class O> void set_option(const O &) {}
};
} // namespace wsock
namespace json {
int decode(const std::string &);
} // namespace json
} // namespace acme
