// Closing the WebSocket sessions of the push gateway.
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace push {

void expire_idle(websocket::stream<beast::tcp_stream> &ws) {
  ws.close(websocket::close_code::abnormal);
}

void shut_down(websocket::stream<beast::tcp_stream> &ws, beast::error_code &ec) {
  ws.close(websocket::close_code::going_away, ec);
}

} // namespace push
