#!/usr/bin/env bash
# The README's main job: install dependencies, build the module, run every ErrorShield check on the
# bundled examples (each trap with its corrected twin) and print the findings.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
PLUGIN="${BUILD_DIR:-build}/lib/libErrorShield.so"

total=0
for file in examples/*.cpp; do
  out=$(clang-tidy-22 --load="$PLUGIN" --checks='-*,errorshield-*' --quiet "$file" -- -std=c++20 2>/dev/null || true)
  count=$(grep -c ': warning: ' <<<"$out" || true)
  total=$((total + count))
  printf '\n== %s: %d finding(s)\n' "$file" "$count"
  [ -z "$out" ] || printf '%s\n' "$out"
done
printf '\nErrorShield: %d finding(s) in %d example file(s)\n' "$total" "$(ls examples/*.cpp | wc -l)"
