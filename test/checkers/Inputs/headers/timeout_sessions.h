// A session class declared in a header and defined in the file that includes it: a finding about
// its stream is shown in that file, where the header filter lets it through.
#pragma once
#include "websocket.h"

class split_session {
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;

public:
  void run();
};
