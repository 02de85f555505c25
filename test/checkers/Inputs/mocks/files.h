// Minimal stand-ins for <fstream> and <iterator>: the file streams and the stream-buffer iterator
// errorshield-ws-frame-type follows to the open mode. Included after websocket.h.
#pragma once

namespace std {
class ios_base {
public:
  using openmode = unsigned;
  static const openmode in = 1, out = 2, binary = 4;
};
using ios = ios_base;
template <class C> class basic_ifstream {
public:
  basic_ifstream() {}
  basic_ifstream(const string &, ios_base::openmode = ios_base::in) {}
  void open(const string &, ios_base::openmode = ios_base::in) {}
  basic_ifstream &read(C *, long) { return *this; }
};
using ifstream = basic_ifstream<char>;
template <class C> class istreambuf_iterator {
public:
  istreambuf_iterator() {}
  istreambuf_iterator(basic_ifstream<C> &) {}
};
} // namespace std
