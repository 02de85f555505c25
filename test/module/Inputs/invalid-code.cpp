// Code that does not compile: every ErrorShield check must keep quiet about it and never crash
// (clang-tidy reports the compiler errors; the structured binding below has no valid type).
#include "reads.h"
#include "locking.h"

void decomposition_of_nothing() {
  auto [ec] = undeclared_call();
  auto [price, fee] = also_undeclared();
}

void broken_handler(boost::asio::ip::tcp::socket &sock) {
  sock.async_read_some(missing_buffer, [](auto ec, size_t) { if (ec) undeclared_fail(ec); next(); });
  std::map<int, int> m;
  m[undeclared] = read(0, nullptr, 0);
}
