#!/usr/bin/env bash
# The one test command, used identically by people and by CI (.ci/run calls exactly this).
# Besides the Rust suites it runs the Kotlin suite of the Android library (JVM) and the Swift
# suite of the iOS package (Swift 6 in a Debian trixie chroot), both against the real server;
# each suite installs what it needs and caches it outside the repository
# (${XDG_CACHE_HOME:-$HOME/.cache}/sotay).
set -euo pipefail
cd "$(dirname "$0")/.."

# Everything is also kept in a log, so the closing line can add up the three suites.
LOG="$(mktemp "${TMPDIR:-/tmp}/sotay-test.XXXXXX")"
trap 'rm -f "$LOG"' EXIT

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy (-D warnings)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --workspace --locked 2>&1 | tee -a "$LOG"

echo "== Kotlin (android/sotay on the JVM, against the real server)"
bash scripts/kotlin-test.sh 2>&1 | tee -a "$LOG"

echo "== Swift (ios/ SoTayKit on Linux, against the real server)"
bash scripts/swift-test.sh 2>&1 | tee -a "$LOG"

# One closing line for the three suites (each has already failed the script if it failed):
# cargo's "test result" lines, JUnit's "OK (N tests)", XCTest's last "Executed N tests".
awk '
    /^test result: / { passed += $4; failed += $6 }
    /^OK \([0-9]+ tests?\)/ { gsub(/[^0-9]/, "", $2); passed += $2 }
    /Executed [0-9]+ tests?, with [0-9]+ failures?/ {
        for (i = 1; i <= NF; i++) if ($i == "Executed") { swift = $(i + 1); swiftf = $(i + 4) }
    }
    END { printf "all suites: %d passed, %d failed\n", passed + swift, failed + swiftf }
' "$LOG"
