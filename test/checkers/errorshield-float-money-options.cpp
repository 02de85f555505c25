// Option variants. By default the catalog's lexicons apply (prefix DEFAULT). A CheckOption
// replaces a list (prefix REPLACE; StrongMoneyWords is just "stipend", NonMoneyWords just "tip"); an
// extra catalog appends "stipend" to the strong words and "point" to the decimal class head words
// (prefix EXTEND); PeriodWords replaced by just "weekly" (prefix PERIOD); RoundingFunctions by a
// project's own (prefix ROUND). STD marks what the DEFAULT, PERIOD and ROUND runs share.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-float-money' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefixes=DEFAULT,STD --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-float-money' \
// RUN:   -config="{CheckOptions: {errorshield-float-money.StrongMoneyWords: 'stipend', errorshield-float-money.NonMoneyWords: 'tip'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=REPLACE --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-float-money' \
// RUN:   -config="{CheckOptions: {ErrorShieldExtraCatalog: '%S/Inputs/catalogs/extra-money-words.json'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=EXTEND --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-float-money' \
// RUN:   -config="{CheckOptions: {errorshield-float-money.PeriodWords: 'weekly'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefixes=PERIOD,STD --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-float-money' \
// RUN:   -config="{CheckOptions: {errorshield-float-money.RoundingFunctions: 'round_half_even'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefixes=ROUND,STD --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-float-money' --dump-config \
// RUN:   | FileCheck %s --check-prefix=DUMP
// DUMP-DAG: errorshield-float-money.StrongMoneyWords: 'price;cost;fee;
// DUMP-DAG: errorshield-float-money.JsonTypes: 'nlohmann::basic_json'
// DUMP-DAG: errorshield-float-money.PeriodWords: 'hourly;daily;nightly'
// DUMP-DAG: errorshield-float-money.RoundingFunctions: 'llround;lround;round;ceil;floor;trunc;lrint;llrint'
// DUMP-DAG: errorshield-float-money.DecimalTypes: 'boost::multiprecision::backends::cpp_dec_float;

#include "money.h"

double price;
// STD: :[[@LINE-1]]:8: warning: 'price' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// STD: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
// EXTEND: :[[@LINE-3]]:8: warning: 'price' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// EXTEND: :[[@LINE-4]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
double stipend;
// REPLACE: :[[@LINE-1]]:8: warning: 'stipend' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// REPLACE: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
// EXTEND: :[[@LINE-3]]:8: warning: 'stipend' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// EXTEND: :[[@LINE-4]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
double tip_rate;
double tip;
// STD: :[[@LINE-1]]:8: warning: 'tip' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// STD: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
// EXTEND: :[[@LINE-3]]:8: warning: 'tip' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// EXTEND: :[[@LINE-4]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
double latencyMs;

// A rate after a period word is a price per period; the words are the option's alone.
double hourly_rate;
// DEFAULT: :[[@LINE-1]]:8: warning: 'hourly_rate' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// DEFAULT: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
// EXTEND: :[[@LINE-3]]:8: warning: 'hourly_rate' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// EXTEND: :[[@LINE-4]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
// REPLACE: :[[@LINE-5]]:8: warning: 'hourly_rate' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// REPLACE: :[[@LINE-6]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
// ROUND: :[[@LINE-7]]:8: warning: 'hourly_rate' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// ROUND: :[[@LINE-8]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
double weekly_rate;
// PERIOD: :[[@LINE-1]]:8: warning: 'weekly_rate' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// PERIOD: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string

class FixedPoint {
public:
  FixedPoint(double);
};
FixedPoint make() { return FixedPoint(2.5); }
// EXTEND: :[[@LINE-1]]:39: warning: decimal type 'FixedPoint' is constructed from a binary floating-point 'double'; the double's rounding error is kept [ES-NUMERIC-001] [errorshield-float-money]
// EXTEND: :[[@LINE-2]]:39: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string

// A plain double scaled by 100 through a rounding call into integer money holds major units; the
// rounding calls followed are the option's alone.
long long round_half_even(double);
long long add_late_fee(long long fare_cents, int minutes) {
  double late = minutes > 60 ? 25.0 : 0.0;
// DEFAULT: :[[@LINE-1]]:10: warning: 'late' holds money in major units in binary floating point: it is scaled by 100 to meet integer money 'fare_cents' [ES-NUMERIC-001] [errorshield-float-money]
// DEFAULT: :[[@LINE+8]]:41: note: scaled here
// DEFAULT: :[[@LINE-3]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
// EXTEND: :[[@LINE-4]]:10: warning: 'late' holds money in major units in binary floating point: it is scaled by 100 to meet integer money 'fare_cents' [ES-NUMERIC-001] [errorshield-float-money]
// EXTEND: :[[@LINE+5]]:41: note: scaled here
// EXTEND: :[[@LINE-6]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
// PERIOD: :[[@LINE-7]]:10: warning: 'late' holds money in major units in binary floating point: it is scaled by 100 to meet integer money 'fare_cents' [ES-NUMERIC-001] [errorshield-float-money]
// PERIOD: :[[@LINE+2]]:41: note: scaled here
// PERIOD: :[[@LINE-9]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  return fare_cents + std::llround(late * 100);
}
long long add_toll(long long fare_cents, bool bridge) {
  double toll = bridge ? 4.5 : 0.0;
// ROUND: :[[@LINE-1]]:10: warning: 'toll' holds money in major units in binary floating point: it is scaled by 100 to meet integer money 'fare_cents' [ES-NUMERIC-001] [errorshield-float-money]
// ROUND: :[[@LINE+2]]:44: note: scaled here
// ROUND: :[[@LINE-3]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  return fare_cents + round_half_even(toll * 100);
}
