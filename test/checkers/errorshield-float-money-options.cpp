// Option variants. By default the catalog's lexicons apply (prefix DEFAULT); a CheckOption
// replaces a list (prefix REPLACE; StrongMoneyWords is just "stipend", NonMoneyWords just "tip"); an
// extra catalog appends "stipend" to the strong words and "point" to the decimal class head words
// (prefix EXTEND).
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-float-money' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=DEFAULT --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-float-money' \
// RUN:   -config="{CheckOptions: {errorshield-float-money.StrongMoneyWords: 'stipend', errorshield-float-money.NonMoneyWords: 'tip'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=REPLACE --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-float-money' \
// RUN:   -config="{CheckOptions: {ErrorShieldExtraCatalog: '%S/Inputs/catalogs/extra-money-words.json'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=EXTEND --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-float-money' --dump-config \
// RUN:   | FileCheck %s --check-prefix=DUMP
// DUMP-DAG: errorshield-float-money.StrongMoneyWords: 'price;cost;fee;
// DUMP-DAG: errorshield-float-money.JsonTypes: 'nlohmann::basic_json'
// DUMP-DAG: errorshield-float-money.DecimalTypes: 'boost::multiprecision::backends::cpp_dec_float;

#include "money.h"

double price;
// DEFAULT: :[[@LINE-1]]:8: warning: 'price' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// DEFAULT: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
// EXTEND: :[[@LINE-3]]:8: warning: 'price' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// EXTEND: :[[@LINE-4]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
double stipend;
// REPLACE: :[[@LINE-1]]:8: warning: 'stipend' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// REPLACE: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
// EXTEND: :[[@LINE-3]]:8: warning: 'stipend' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// EXTEND: :[[@LINE-4]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
double tip_rate;
double tip;
// DEFAULT: :[[@LINE-1]]:8: warning: 'tip' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// DEFAULT: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
// EXTEND: :[[@LINE-3]]:8: warning: 'tip' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// EXTEND: :[[@LINE-4]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
double latencyMs;

class FixedPoint {
public:
  FixedPoint(double);
};
FixedPoint make() { return FixedPoint(2.5); }
// EXTEND: :[[@LINE-1]]:39: warning: decimal type 'FixedPoint' is constructed from a binary floating-point 'double'; the double's rounding error is kept [ES-NUMERIC-001] [errorshield-float-money]
// EXTEND: :[[@LINE-2]]:39: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
