// Not part of the server: proves the build gate works. Compiled with the server's clang-tidy
// configuration, this must fail the build: 1006 is reserved and never sent in a close frame.
#include "beast.h"

namespace chat {

void hang_up(websocket::stream<beast::tcp_stream> &ws) {
  ws.close(websocket::close_code::abnormal);
}

} // namespace chat
