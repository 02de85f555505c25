#!/usr/bin/env bash
# The README's main job: install dependencies, build, then run `errorshield scan` over the bundled
# examples (each trap with its corrected twin) and the Kubernetes manifests lint over examples/k8s.
# The reference server (reference-server/src) is scanned too: it must contribute no finding.
# Writes report.html and report.sarif (and k8s-report.sarif) and prints the findings and summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
ES="$BUILD_DIR/bin/errorshield"

# Exit 1 means "gating findings", which the BAD examples have by design; 2 and 3 are real failures.
status=0
"$ES" scan -p "$BUILD_DIR" examples reference-server/src --format text,html,sarif -o report || status=$?
mv report.txt "$BUILD_DIR/report.txt" 2>/dev/null || true
cat "$BUILD_DIR/report.txt"
[ "$status" -le 1 ] || { echo "errorshield scan failed with exit code $status" >&2; exit "$status"; }

status=0
"$ES" manifests examples/k8s --format text,sarif -o k8s-report || status=$?
cat k8s-report.txt && rm -f k8s-report.txt
[ "$status" -le 1 ] || { echo "errorshield manifests failed with exit code $status" >&2; exit "$status"; }
echo "Reports: report.html, report.sarif, k8s-report.sarif"
