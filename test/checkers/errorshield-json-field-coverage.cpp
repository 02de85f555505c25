// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-json-field-coverage' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

// Replace with the first real positive; it fails until the check reports it.
void first_positive();
// CHECK-MESSAGES: :[[@LINE-1]]:1: warning: {{.*}} [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
