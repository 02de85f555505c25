// Option variants. The catalog's lists apply by default (prefix DEFAULT). Only std::byte counts as a
// byte element (prefix BYTES). An extra catalog adds a second library's stream type and a project
// JSON decoder (prefix EXTEND). FileStreamTypes replaced by a project file class (prefix FILES; the
// standard streams no longer count, so their case is under STDFILE).
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-frame-type' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefixes=DEFAULT,STDFILE --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-frame-type' \
// RUN:   -config="{CheckOptions: {errorshield-ws-frame-type.ByteElementTypes: 'std::byte'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefixes=BYTES,STDFILE --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-frame-type' \
// RUN:   -config="{CheckOptions: {ErrorShieldExtraCatalog: '%S/Inputs/catalogs/extra-websocket.json'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefixes=EXTEND,STDFILE --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-frame-type' \
// RUN:   -config="{CheckOptions: {errorshield-ws-frame-type.FileStreamTypes: 'acme::vault_file'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefixes=DEFAULT,FILES --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-frame-type' --dump-config \
// RUN:   | FileCheck %s --check-prefix=DUMP
// DUMP-DAG: errorshield-ws-frame-type.FrameTypeQueries: 'got_text;got_binary'
// DUMP-DAG: errorshield-ws-frame-type.TextParsers: 'nlohmann::basic_json::parse;
// DUMP-DAG: errorshield-ws-frame-type.TextSerializers: 'nlohmann::basic_json::dump;boost::json::serialize'
// DUMP-DAG: errorshield-ws-frame-type.FileStreamTypes: 'std::basic_ifstream;std::basic_fstream'
// DUMP-DAG: errorshield-ws-frame-type.ByteElementTypes: 'std::byte;unsigned char;signed char'
// DUMP-DAG: errorshield-ws-frame-type.BinarySerializers: 'nlohmann::basic_json::to_cbor;nlohmann::basic_json::to_msgpack;nlohmann::basic_json::to_bson;nlohmann::basic_json::to_ubjson;nlohmann::basic_json::to_bjdata;SerializeAsString'

#include "acme_ws.h"

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

void beast_reader(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  beast::flat_buffer buffer;
  ws.read(buffer);
  auto a = nlohmann::json::parse(beast::buffers_to_string(buffer.data()));
// DEFAULT: :[[@LINE-1]]:28: warning: 'parse' parses a message read from 'ws' as text, but the stream's owner never checks got_text() or got_binary(): a binary message reaches the text parser [ES-WS-004] [errorshield-ws-frame-type]
// BYTES: :[[@LINE-2]]:28: warning: 'parse' parses a message read from 'ws' as text, but the stream's owner never checks got_text() or got_binary(): a binary message reaches the text parser [ES-WS-004] [errorshield-ws-frame-type]
// EXTEND: :[[@LINE-3]]:28: warning: 'parse' parses a message read from 'ws' as text, but the stream's owner never checks got_text() or got_binary(): a binary message reaches the text parser [ES-WS-004] [errorshield-ws-frame-type]
  int b = acme::json::decode(beast::buffers_to_string(buffer.data()));
// EXTEND: :[[@LINE-1]]:23: warning: 'decode' parses a message read from 'ws' as text, but the stream's owner never checks got_text() or got_binary(): a binary message reaches the text parser [ES-WS-004] [errorshield-ws-frame-type]
}

void beast_writer(tcp::socket s, std::vector<std::uint8_t> octets, std::vector<std::byte> bytes) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.text(true);
  ws.write(net::buffer(octets));
// DEFAULT: :[[@LINE-1]]:6: warning: write sends 'octets', declared as bytes, on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
// EXTEND: :[[@LINE-2]]:6: warning: write sends 'octets', declared as bytes, on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
  ws.write(net::buffer(bytes));
// DEFAULT: :[[@LINE-1]]:6: warning: write sends 'bytes', declared as bytes, on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
// BYTES: :[[@LINE-2]]:6: warning: write sends 'bytes', declared as bytes, on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
// EXTEND: :[[@LINE-3]]:6: warning: write sends 'bytes', declared as bytes, on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
}

void acme_session(std::vector<std::byte> bytes) {
  acme::wsock::session ws;
  beast::flat_buffer buffer;
  ws.read(buffer);
  int a = acme::json::decode(beast::buffers_to_string(buffer.data()));
// EXTEND: :[[@LINE-1]]:23: warning: 'decode' parses a message read from 'ws' as text, but the stream's owner never checks got_text() or got_binary(): a binary message reaches the text parser [ES-WS-004] [errorshield-ws-frame-type]
  ws.text(true);
  ws.write(net::buffer(bytes));
// EXTEND: :[[@LINE-1]]:6: warning: write sends 'bytes', declared as bytes, on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
}

// Chunks of files opened in binary mode: a standard stream and a project's own file class.
#include "files.h"
namespace acme {
class vault_file {
public:
  vault_file(const std::string &, std::ios_base::openmode);
  vault_file &read(char *, long);
};
} // namespace acme

void send_chunks(websocket::stream<tcp::socket> &ws, const std::string &path) {
  ws.text(true);
  std::ifstream in(path, std::ios::binary);
  std::vector<char> plain;
  in.read(plain.data(), 4096);
  ws.write(net::buffer(plain));
// STDFILE: :[[@LINE-1]]:6: warning: write sends 'plain', read from a file opened in binary mode, on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
  acme::vault_file vault(path, std::ios::binary);
  std::vector<char> sealed;
  vault.read(sealed.data(), 4096);
  ws.write(net::buffer(sealed));
// FILES: :[[@LINE-1]]:6: warning: write sends 'sealed', read from a file opened in binary mode, on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
}
