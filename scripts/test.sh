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

# The official-document tests (core/tests/render.rs) read the exported plan back the way a
# reader would: LibreOffice (headless) converts it to PDF, pdftotext extracts the text.
# Debian packages, installed when missing (Liberation Serif stands in for Times New Roman).
if ! command -v soffice >/dev/null || ! command -v pdftotext >/dev/null; then
    echo "== installing LibreOffice Writer (headless) and pdftotext (apt-get)"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "root or sudo is needed to install libreoffice-writer-nogui poppler-utils" >&2; exit 1; }
        SUDO=sudo
    fi
    install_doc_tools() {
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o=Dpkg::Use-Pty=0 \
            --no-install-recommends libreoffice-writer-nogui poppler-utils fonts-dejavu-core \
            fonts-liberation2 >/dev/null
    }
    # The package lists are refreshed only when the install cannot find the packages.
    install_doc_tools || { $SUDO apt-get update -qq && install_doc_tools; }
fi

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
