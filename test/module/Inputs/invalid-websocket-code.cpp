// WebSocket code that does not compile: the errorshield-ws-* checks must keep quiet and never crash.
#include "websocket.h"
namespace websocket = boost::beast::websocket;
using namespace std::literals;

struct broken_session {
  websocket::stream<boost::beast::tcp_stream> ws_;
  void run() {
    ws_.set_option(websocket::stream_base::timeout{undeclared_duration, 5s, true});
    ws_.read_message_max(undeclared_limit);
    ws_.async_accept(undeclared_request, [](auto ec) {});
    ws_.close(undeclared_code);
    auto j = nlohmann::json::parse(boost::beast::buffers_to_string(undeclared_buffer.data()));
    ws_.text(undeclared_flag);
    ws_.write(boost::asio::buffer(undeclared_bytes));
  }
};
