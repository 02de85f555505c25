// checks: errorshield-unchecked-read
// Synchronous clients used by the deploy tool: it pulls the service catalogue
// from the config service over HTTP/1.1, talks a line protocol to the legacy
// job runner and subscribes to the rollout feed over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <istream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

static http::request<http::string_body> make_get(const std::string& host, const std::string& target) {
  http::request<http::string_body> req{http::verb::get, target, 11};
  req.set(http::field::host, host);
  req.set(http::field::user_agent, "deploy-tool/2.3");
  req.set(http::field::accept, "application/json");
  return req;
}

// The body of a failed (e.g. truncated) response is parsed as if it were complete.
json fetch_catalogue_naive(const std::string& host, const std::string& port) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  stream.connect(resolver.resolve(host, port));
  http::write(stream, make_get(host, "/v1/catalogue"));

  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  beast::error_code ec;
  http::read(stream, buffer, res, ec);  // expect: errorshield-unchecked-read
  json catalogue = json::parse(res.body(), nullptr, false);
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return catalogue;
}

// Correct: ec is tested right after the read.
std::optional<json> fetch_catalogue(const std::string& host, const std::string& port) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  stream.connect(resolver.resolve(host, port));
  http::write(stream, make_get(host, "/v1/catalogue"));

  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  beast::error_code ec;
  http::read(stream, buffer, res, ec);
  if (ec) {
    std::cerr << "catalogue: " << ec.message() << "\n";
    return std::nullopt;
  }
  if (res.result() != http::status::ok) return std::nullopt;
  json j = json::parse(res.body(), nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

// Correct: the throwing overload reports failure by exception.
std::string fetch_version(beast::tcp_stream& stream, const std::string& host) {
  http::write(stream, make_get(host, "/version"));
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return res.body();
}

// Correct: ec is the caller's; it checks it after this returns.
void read_response(beast::tcp_stream& stream, beast::flat_buffer& buffer, http::response<http::string_body>& res,
                   beast::error_code& ec) {
  stream.expires_after(std::chrono::seconds(10));
  http::read(stream, buffer, res, ec);
}

// Pipelined health probes: every response overwrites ec, only the last one is looked at.
bool probe_all(beast::tcp_stream& stream, const std::string& host, const std::vector<std::string>& targets) {
  for (auto const& t : targets) http::write(stream, make_get(host, t));
  beast::flat_buffer buffer;
  beast::error_code ec;
  std::vector<http::response<http::string_body>> responses(targets.size());
  for (auto& res : responses) {
    http::read(stream, buffer, res, ec);  // expect: errorshield-unchecked-read
  }
  if (ec) return false;
  for (auto const& res : responses)
    if (res.result() != http::status::ok) return false;
  return true;
}

// Job runner line protocol: "+OK ...\r\n" / "-ERR ...\r\n".
std::string runner_status_line_naive(tcp::socket& sock, net::streambuf& sb) {
  boost::system::error_code ec;
  net::read_until(sock, sb, "\r\n", ec);  // expect: errorshield-unchecked-read
  std::istream is(&sb);
  std::string line;
  std::getline(is, line);
  return line;
}

// Correct: failure is turned into an exception before the buffer is touched.
std::string runner_status_line(tcp::socket& sock, net::streambuf& sb) {
  boost::system::error_code ec;
  std::size_t n = net::read_until(sock, sb, "\r\n", ec);
  if (ec) throw boost::system::system_error(ec, "runner status");
  std::string line(net::buffers_begin(sb.data()), net::buffers_begin(sb.data()) + static_cast<std::ptrdiff_t>(n) - 2);
  sb.consume(n);
  return line;
}

// Reads the job log until the runner closes the connection. Bytes are appended
// before ec is examined, and any error other than eof loops forever.
std::string slurp_job_log_naive(tcp::socket& sock) {
  std::string out;
  std::array<char, 4096> chunk;
  boost::system::error_code ec;
  for (;;) {
    std::size_t n = sock.read_some(net::buffer(chunk), ec);  // expect: errorshield-unchecked-read
    out.append(chunk.data(), n);
    if (ec == net::error::eof) break;
  }
  return out;
}

// Correct: eof ends the loop, other errors throw, then the data is used.
std::string slurp_job_log(tcp::socket& sock) {
  std::string out;
  std::array<char, 4096> chunk;
  boost::system::error_code ec;
  for (;;) {
    std::size_t n = sock.read_some(net::buffer(chunk), ec);
    if (ec == net::error::eof) break;
    if (ec) throw boost::system::system_error(ec);
    out.append(chunk.data(), n);
  }
  return out;
}

// Correct: length-prefixed blob; ec is tested after each read.
std::optional<std::string> read_blob(tcp::socket& sock) {
  boost::system::error_code ec;
  std::uint32_t len_be = 0;
  net::read(sock, net::buffer(&len_be, sizeof len_be), ec);
  if (ec) return std::nullopt;
  std::string blob(ntohl(len_be), '\0');
  net::read(sock, net::buffer(blob), ec);
  if (ec) return std::nullopt;
  return blob;
}

// The handshake's error is overwritten by the first read before anyone looks at it.
void follow_rollout_naive(const std::string& host, const std::string& port, const std::string& rollout) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  websocket::stream<tcp::socket> ws(ioc);
  net::connect(ws.next_layer(), resolver.resolve(host, port));
  beast::error_code ec;
  ws.handshake(host, "/rollouts/" + rollout, ec);  // expect: errorshield-unchecked-read
  beast::flat_buffer buffer;
  ws.read(buffer, ec);
  if (ec) {
    std::cerr << "rollout feed: " << ec.message() << "\n";
    return;
  }
  std::cout << beast::make_printable(buffer.data()) << "\n";
}

// Correct: handshake and every read are checked; closed ends the feed.
void follow_rollout(const std::string& host, const std::string& port, const std::string& rollout) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  websocket::stream<tcp::socket> ws(ioc);
  net::connect(ws.next_layer(), resolver.resolve(host, port));
  beast::error_code ec;
  ws.handshake(host, "/rollouts/" + rollout, ec);
  if (ec) throw beast::system_error(ec, "rollout handshake");
  beast::flat_buffer buffer;
  for (;;) {
    ws.read(buffer, ec);
    if (ec == websocket::error::closed) break;
    if (ec) throw beast::system_error(ec, "rollout read");
    std::cout << beast::make_printable(buffer.data()) << "\n";
    buffer.consume(buffer.size());
  }
}

// Correct: throwing overloads; errors propagate as exceptions.
std::string first_rollout_event(websocket::stream<tcp::socket>& ws) {
  beast::flat_buffer buffer;
  ws.read(buffer);
  return beast::buffers_to_string(buffer.data());
}
