#!/usr/bin/env bash
# The reference server's tests (seed scenario at scale, protocol conformance, browser, Redis, the
# load client) on two sanitizer builds: AddressSanitizer + UndefinedBehaviorSanitizer, then
# ThreadSanitizer. A heavy suite of its own (two more server builds), not part of .ci/run. Any
# report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
for sanitize in address,undefined thread; do
  dir="build-${sanitize//,/-}"
  cmake -G Ninja -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DERRORSHIELD_SERVER_TIDY=OFF -DERRORSHIELD_SERVER_SANITIZE="$sanitize" > /dev/null
  cmake --build "$dir" --target es-chat-server ws-load
  echo "== $sanitize"
  # halt_on_error: the first report fails the test; the server's stderr goes to the test's log.
  log="$PWD/$dir/server.log"
  rm -f "$log"
  status=0
  ES_CHAT_SERVER_LOG="$log" \
  ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest --test-dir "$dir" --output-on-failure \
      -R 'reference-server/(seed-scenario|protocol-conformance|browser|two-nodes-redis|load-client)' || status=$?
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|WARNING: ThreadSanitizer|runtime error:' "$log" 2>/dev/null; then
    grep -E -A30 'ERROR: (Address|Leak)Sanitizer|WARNING: ThreadSanitizer|runtime error:' "$log" | head -80
    status=1
  fi
  [ "$status" -eq 0 ] || { echo "sanitizers: $sanitize FAILED" >&2; exit 1; }
  echo "sanitizers: $sanitize passed"
done
