#!/usr/bin/env bash
# The one test command, used identically by people and by CI (.ci/run calls exactly this).
# Besides the Rust suites it runs the Kotlin suite of the Android library (JVM) and the Swift
# suite of the iOS package (Swift 6 in a Debian trixie chroot), both against the real server;
# each suite installs what it needs and caches it outside the repository
# (${XDG_CACHE_HOME:-$HOME/.cache}/sotay).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy (-D warnings)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --workspace --locked

echo "== Kotlin (android/sotay on the JVM, against the real server)"
bash scripts/kotlin-test.sh

echo "== Swift (ios/ SoTayKit on Linux, against the real server)"
bash scripts/swift-test.sh
