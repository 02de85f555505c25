#!/usr/bin/env bash
# Scores every labelled case the way the external evaluation does: plain clang-tidy, each case
# parsing its own headers (ctest reads them from a PCH; see test/eval-pch/headers.hpp). test/eval
# against its ctest floors, each test/eval-blind check against floors.json. ~40 min on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
scripts/build.sh
TIDY="$(command -v clang-tidy-22) --load $(cd "$BUILD_DIR" && pwd)/lib/libErrorShield.so"
python3 ../shared/eval/score.py --tidy "$TIDY" --min-precision 0.95 --min-recall 0.90 test/eval
python3 test/eval-blind/measure_floors.py --tidy "$TIDY" --check
