// Shapes of the Asio/Beast API the concurrency and protocol checks look at, over the real C++
// standard library: operations come in synchronous/asynchronous pairs (write/async_write) exactly
// where Asio and Beast have them, and socket close/shutdown have no async twin.
#pragma once
#include <coroutine>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

namespace boost::system {
class error_code {
public:
  explicit operator bool() const { return false; }
};
} // namespace boost::system

namespace boost::asio {
using boost::system::error_code;
struct const_buffer {};
template <class T> const_buffer buffer(const T &);
const_buffer buffer(const void *, std::size_t);

class io_context {
public:
  struct executor_type {};
  std::size_t run();
  executor_type get_executor();
};
class thread_pool {
public:
  explicit thread_pool(std::size_t);
  struct executor_type {};
  executor_type get_executor();
  void join();
};
template <class E, class F> void post(E &&, F &&) {}
template <class E, class F> void dispatch(E &&, F &&) {}
// asio::coroutine's yield: the statement after it runs, and the coroutine resumes when it completes.
class coroutine {};
#define BOOST_ASIO_CORO_YIELD for (int coro_once_ = 0; coro_once_ < 1; ++coro_once_)

template <class E> struct strand {
  explicit strand(E);
};
strand<io_context::executor_type> make_strand(io_context &);
template <class E, class H> H bind_executor(const E &, H &&h) { return h; }

template <class Executor> class basic_yield_context {
public:
  // yield[ec]: the operation reports its error into ec instead of throwing.
  basic_yield_context operator[](boost::system::error_code &) const { return *this; }
};
using yield_context = basic_yield_context<io_context::executor_type>;
template <class A = void> struct use_future_t {};
inline constexpr use_future_t<> use_future;
struct use_awaitable_t {};
inline constexpr use_awaitable_t use_awaitable;

// What an asynchronous operation returns here: awaitable with co_await, ignored with a callback.
struct operation {
  bool await_ready() const noexcept { return true; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  std::size_t await_resume() const noexcept { return 0; }
};
template <class T = void> class awaitable {
public:
  struct promise_type {
    awaitable get_return_object() { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() {}
  };
  bool await_ready() const noexcept { return true; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  void await_resume() const noexcept {}
};

// Completion tokens that hand the error to the coroutine instead of throwing it.
template <class T> struct as_tuple_t {
  T token;
};
template <class T> as_tuple_t<T> as_tuple(T token) { return {token}; }
template <class T> struct redirect_error_t {
  T token;
  boost::system::error_code &ec;
};
template <class T> redirect_error_t<T> redirect_error(T token, boost::system::error_code &ec) {
  return {token, ec};
}
struct tuple_operation {
  bool await_ready() const noexcept { return true; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  std::tuple<boost::system::error_code, std::size_t> await_resume() const noexcept { return {}; }
};

struct detached_t {};
inline constexpr detached_t detached;
template <class E, class F> void co_spawn(E &&, F &&, detached_t) {}
template <class E, class F> operation co_spawn(E &&, F &&, use_awaitable_t) { return {}; }
// `co_await post(pool, use_awaitable)`: the coroutine continues on the pool's thread.
template <class E> operation post(E &&, use_awaitable_t) { return {}; }
// `co_await (a && b)`: both operations run in parallel.
namespace experimental::awaitable_operators {
inline operation operator&&(operation, operation) { return {}; }
inline operation operator||(operation, operation) { return {}; }
template <class A, class B> operation operator||(awaitable<A>, awaitable<B>) { return {}; }
template <class A, class B> operation operator&&(awaitable<A>, awaitable<B>) { return {}; }
} // namespace experimental::awaitable_operators
namespace this_coro {
struct executor_t {};
inline constexpr executor_t executor;
} // namespace this_coro

namespace ip {
struct tcp {
  class endpoint {};
  class socket;
  class acceptor;
  class resolver;
};
} // namespace ip

template <class Protocol> class basic_stream_socket {
public:
  explicit basic_stream_socket(io_context &);
  template <class B> std::size_t read_some(const B &);
  template <class B> std::size_t read_some(const B &, error_code &);
  template <class B, class H> void async_read_some(const B &, H &&) {}
  template <class B, class T> tuple_operation async_read_some(const B &, as_tuple_t<T>) { return {}; }
  template <class B, class T> operation async_read_some(const B &, redirect_error_t<T>) { return {}; }
  template <class B> std::size_t write_some(const B &);
  template <class B> std::size_t write_some(const B &, error_code &);
  template <class B, class H> void async_write_some(const B &, H &&) {}
  void non_blocking(bool, error_code &);
  void connect(const typename Protocol::endpoint &);
  template <class H> void async_connect(const typename Protocol::endpoint &, H &&) {}
  void close();
  void close(error_code &);
  void shutdown(int, error_code &);
  void cancel();
};
class ip::tcp::socket : public basic_stream_socket<ip::tcp> {
  using basic_stream_socket::basic_stream_socket;
};

template <class Protocol> class basic_socket_acceptor {
public:
  explicit basic_socket_acceptor(io_context &);
  void accept(ip::tcp::socket &);
  void accept(ip::tcp::socket &, error_code &);
  ip::tcp::socket accept();
  template <class H> void async_accept(H &&) {}
  template <class H> void async_accept(ip::tcp::socket &, H &&) {}
  struct accept_operation {
    bool await_ready() const noexcept { return true; }
    void await_suspend(std::coroutine_handle<>) const noexcept {}
    ip::tcp::socket await_resume() const noexcept;
  };
  accept_operation async_accept(use_awaitable_t);
  // `auto [ec, sock] = co_await acceptor.async_accept(as_tuple(use_awaitable));`
  struct tuple_accept_operation {
    bool await_ready() const noexcept { return true; }
    void await_suspend(std::coroutine_handle<>) const noexcept {}
    std::tuple<error_code, ip::tcp::socket> await_resume() const noexcept;
  };
  tuple_accept_operation async_accept(as_tuple_t<use_awaitable_t>);
};
class ip::tcp::acceptor : public basic_socket_acceptor<ip::tcp> {
  using basic_socket_acceptor::basic_socket_acceptor;
};

class ip::tcp::resolver {
public:
  int resolve(std::string_view, std::string_view);
  template <class H> void async_resolve(std::string_view, std::string_view, H &&) {}
};

class steady_timer {
public:
  explicit steady_timer(io_context &);
  template <class E> explicit steady_timer(const strand<E> &); // handlers run on the strand
  template <class D> void expires_after(D);
  void wait();
  template <class H> void async_wait(H &&) {}
  void cancel();
};

template <class S, class B> std::size_t write(S &, const B &);
template <class S, class B> std::size_t write(S &, const B &, error_code &);
template <class S, class B, class H> operation async_write(S &, const B &, H &&) { return {}; }
template <class S, class B> std::size_t read(S &, const B &);
template <class S, class B, class H> void async_read(S &, const B &, H &&) {}
template <class S, class E> void connect(S &, const E &);
template <class S, class E, class H> void async_connect(S &, const E &, H &&) {}

namespace ssl {
class context {};
enum handshake_type { client, server };
template <class Next> class stream {
public:
  stream(Next &&, context &);
  void handshake(handshake_type);
  void handshake(handshake_type, error_code &);
  template <class H> void async_handshake(handshake_type, H &&) {}
  void shutdown();
  template <class H> void async_shutdown(H &&) {}
};
} // namespace ssl
} // namespace boost::asio

namespace boost::beast {
using boost::system::error_code;
namespace net = boost::asio;
class tcp_stream {
public:
  explicit tcp_stream(net::ip::tcp::socket &&);
  net::ip::tcp::socket &socket();
  template <class D> void expires_after(D);
  void close();
};
template <class Next> class ssl_stream : public net::ssl::stream<Next> {
public:
  using net::ssl::stream<Next>::stream;
};
class flat_buffer {
public:
  struct const_buffers_type {};
  const_buffers_type data() const;
  void consume(std::size_t);
};
template <class F, class... A> F bind_front_handler(F f, A &&...) { return f; }

namespace http {
enum class field : unsigned short {
  unknown, connection, content_length, host, keep_alive, proxy_authorization, server, te,
  trailer, transfer_encoding, upgrade, user_agent, via, x_forwarded_for, http2_settings
};
template <class Allocator> class basic_fields {
public:
  class value_type {
  public:
    field name() const;
    std::string_view name_string() const;
    std::string_view value() const;
  };
  using const_iterator = const value_type *;
  const_iterator begin() const;
  const_iterator end() const;
  void set(field, std::string_view);
  void set(std::string_view, std::string_view);
  void insert(field, std::string_view);
  void insert(std::string_view, std::string_view);
  void insert(field, std::string_view, std::string_view);
  void erase(field);
  std::string_view operator[](field) const;
  std::string_view operator[](std::string_view) const;
};
using fields = basic_fields<std::allocator<char>>;
template <bool isRequest, class Fields = fields> class header : public Fields {};
template <bool isRequest, class Body, class Fields = fields>
class message : public header<isRequest, Fields> {
public:
  header<isRequest, Fields> &base();
  const header<isRequest, Fields> &base() const;
  void keep_alive(bool);
};
struct string_body {};
struct empty_body {};
template <class Body, class Fields = fields> using request = message<true, Body, Fields>;
template <class Body, class Fields = fields> using response = message<false, Body, Fields>;
template <class S, bool R, class B, class F> std::size_t write(S &, const message<R, B, F> &);
template <class S, class D, bool R, class B, class F> std::size_t read(S &, D &, message<R, B, F> &);
template <class S, class D, bool R, class B, class F, class H>
void async_read(S &, D &, message<R, B, F> &, H &&) {}
template <class S, bool R, class B, class F, class H>
void async_write(S &, const message<R, B, F> &, H &&) {}
} // namespace http

namespace websocket {
template <class Next> class stream {
public:
  template <class... A> explicit stream(A &&...);
  Next &next_layer();
  net::io_context::executor_type get_executor();
  void accept();
  template <class H> void async_accept(H &&) {}
  template <class B> std::size_t read(B &);
  template <class B, class H> void async_read(B &, H &&) {}
  template <class B> net::operation async_read(B &, net::use_awaitable_t) { return {}; }
  template <class B> std::size_t write(const B &);
  template <class B> std::size_t write(const B &, error_code &);
  template <class B, class H> net::operation async_write(const B &, H &&) { return {}; }
  void close(int);
  template <class H> void async_close(int, H &&) {}
  void text(bool);
};
} // namespace websocket
} // namespace boost::beast
