// Option variants. Catalog defaults, including a mapping macro used inside a project macro
// (prefix DEFAULT). Members that must not travel, by name or as Type::member (prefix IGNORED). The
// project macro itself as the mapping macro: the fix-it edits its arguments (prefix WRAPPER).
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-json-field-coverage' -- -std=c++20 \
// RUN:   | FileCheck %s --check-prefix=DEFAULT --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-json-field-coverage' \
// RUN:   -config="{CheckOptions: {errorshield-json-field-coverage.IgnoredMembers: 'cache_;Session::token'}}" \
// RUN:   -- -std=c++20 | FileCheck %s --check-prefix=IGNORED --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-json-field-coverage' \
// RUN:   -config="{CheckOptions: {errorshield-json-field-coverage.MappingMacros: 'ES_JSON_DTO'}}" \
// RUN:   -- -std=c++20 | FileCheck %s --check-prefix=WRAPPER --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --fix --checks='-*,errorshield-json-field-coverage' \
// RUN:   -config="{CheckOptions: {errorshield-json-field-coverage.MappingMacros: 'ES_JSON_DTO'}}" -- -std=c++20
// RUN: FileCheck %s --check-prefix=WRAPPER-FIXES --input-file=%t.cpp
// RUN: %clangxx -fsyntax-only -std=c++20 %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-json-field-coverage' --dump-config \
// RUN:   | FileCheck %s --check-prefix=DUMP
// DUMP: errorshield-json-field-coverage.FromJsonFunctions: from_json
// DUMP: errorshield-json-field-coverage.IgnoredMembers: ''
// DUMP: errorshield-json-field-coverage.SensitiveMemberWords: 'password;passwd;secret;salt;credential;private_key;api_key'
// DUMP: errorshield-json-field-coverage.ToJsonFunctions: to_json
// DUMP: errorshield-json-field-coverage.UnmappableTypes: 'std::function;std::move_only_function;std::thread;std::jthread;boost::asio::strand;boost::asio::basic_waitable_timer;boost::asio::basic_stream_socket'

#include <nlohmann/json.hpp>
#include <string>

#define ES_JSON_DTO(...) NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(__VA_ARGS__)

struct Ticker {
  std::string symbol;
  long last = 0;
  long cache_ = 0;
};
ES_JSON_DTO(Ticker, symbol)
// DEFAULT: :[[@LINE-1]]:1: warning: NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE for 'Ticker' does not list data members 'last', 'cache_': they are silently left out of the JSON conversion [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// IGNORED: :[[@LINE-2]]:1: warning: NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE for 'Ticker' does not list data member 'last': it is silently left out of the JSON conversion [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// WRAPPER: :[[@LINE-3]]:1: warning: ES_JSON_DTO for 'Ticker' does not list data members 'last', 'cache_': they are silently left out of the JSON conversion [ES-SERIALIZATION-001] [errorshield-json-field-coverage]

struct Session {
  std::string user;
  std::string token;
};
void from_json(const nlohmann::json &j, Session &s) { j.at("user").get_to(s.user); }
// DEFAULT: :[[@LINE-1]]:6: warning: from_json for 'Session' never sets data member 'token': it keeps its previous value whatever the JSON contains [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// WRAPPER: :[[@LINE-2]]:6: warning: from_json for 'Session' never sets data member 'token': it keeps its previous value whatever the JSON contains [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// WRAPPER-FIXES: ES_JSON_DTO(Ticker, symbol, last, cache_){{$}}
