// Session classes defined in a header, as in a multi-file server: the translation unit that includes
// the header may or may not contain the HTTP code that checks Origin and hands the request over.
#pragma once
#include "websocket.h"

class header_session {
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;

public:
  void run(boost::beast::http::request<boost::beast::http::string_body> req) {
    ws_.async_accept(req, [](boost::beast::error_code) {});
  }
};

class header_session_called_here {
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;

public:
  void run(boost::beast::http::request<boost::beast::http::string_body> req) {
    ws_.async_accept(req, [](boost::beast::error_code) {});
  }
};
