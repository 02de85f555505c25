// Minimal stand-ins for <unistd.h>, <sys/socket.h>, <cstdio>, Boost.System, Boost.Asio and
// Boost.Beast: what errorshield-unchecked-read looks at, compiled with -nostdinc++. Asio's
// defaulted constraint parameters are kept, because the check must look past them. The real
// headers are exercised by test/eval/unchecked-read.
#pragma once

using size_t = decltype(sizeof 0);
using ssize_t = long;
struct FILE;
extern "C" {
ssize_t read(int, void *, size_t);
ssize_t recv(int, void *, size_t, int);
size_t fread(void *, size_t, size_t, FILE *);
char *fgets(char *, int, FILE *);
ssize_t getline(char **, size_t *, FILE *);
ssize_t write(int, const void *, size_t);
}
void process(const char *, ssize_t);

namespace std {
template <class F, class... A> F bind(F f, A &&...) { return f; }
namespace placeholders {
struct ph {};
inline ph _1, _2;
} // namespace placeholders
} // namespace std

namespace boost::system {
class error_code {
public:
  explicit operator bool() const;
  bool failed() const;
  friend bool operator==(const error_code &, const error_code &);
};
} // namespace boost::system
namespace boost::asio::error {
inline const boost::system::error_code operation_aborted;
} // namespace boost::asio::error

namespace boost::asio {
struct mutable_buffer {};
mutable_buffer buffer(void *, size_t);
template <class T> mutable_buffer buffer(T &);
namespace ip::tcp {
class socket {
public:
  size_t read_some(mutable_buffer, boost::system::error_code &);
  size_t read_some(mutable_buffer);
  template <class B, class H> void async_read_some(const B &, H &&) {}
};
} // namespace ip::tcp
template <class S, class B> size_t read(S &, const B &, boost::system::error_code &);
template <class Protocol> class basic_socket_acceptor {
public:
  template <class H> void async_accept(H &&) {}
};
struct tcp_protocol {};
using tcp_acceptor = basic_socket_acceptor<tcp_protocol>;
template <class S, class B, class H> void async_read(S &, const B &, H &&, int = 0) {}
template <class E, class H> H bind_executor(const E &, H h, int = 0) { return h; }
struct strand {};
} // namespace boost::asio

namespace boost::beast {
using error_code = boost::system::error_code;
struct flat_buffer {
  void consume(size_t);
};
template <class F, class... A> F bind_front_handler(F f, A &&...) { return f; }
namespace websocket {
template <class Next> class stream {
public:
  size_t read(flat_buffer &, error_code &);
  size_t read(flat_buffer &);
  template <class B, class H> void async_read(B &, H &&) {}
  template <class H> void async_accept(H &&) {}
  template <class B, class H> void async_write(const B &, H &&) {}
};
} // namespace websocket
} // namespace boost::beast
