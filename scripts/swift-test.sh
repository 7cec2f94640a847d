#!/usr/bin/env bash
# The Swift suite of the iOS package layer (ios/, SwiftPM package SoTayKit), on Linux, without
# Xcode or Apple platforms (see ios/README.md for what is and is not built here):
#
#   1. sets up, once, a Debian trixie chroot with Swift 6 (`swiftlang`) and libc6-dev, cached
#      outside the repository in ${XDG_CACHE_HOME:-$HOME/.cache}/sotay/swift-trixie/ (Debian 12
#      has no Swift; trixie does). It is bootstrapped from the mirror the host already uses;
#      the host's apt sources are never changed. `.swift-ready` in the chroot marks a finished
#      set-up; delete the directory to start over;
#   2. builds sotay-ffi (debug, cdylib) and sotay-server on the host;
#   3. generates the Swift bindings with the workspace's own uniffi-bindgen (library mode)
#      into $TARGET_DIR/swift-bindings/ and copies them into ios/Sources/SoTayFFIC/ and
#      ios/Sources/SoTayFFI/ (build outputs, kept out of git by ios/.gitignore; copied only
#      when they changed, so SwiftPM's incremental build stays warm);
#   4. runs `swift build --build-tests && swift test` in ios/ inside the chroot, in private
#      mount and PID namespaces (nothing is mounted on the host; nothing started there — a test
#      server — outlives the run), with the repository and the cargo target directory
#      bind-mounted at their own absolute paths. libsotay_ffi.so is linked
#      dynamically from SOTAY_FFI_LIB_DIR (Package.swift adds -L and an rpath), and the tests
#      start the real server from SOTAY_SERVER_BIN.
#
# Usage: scripts/swift-test.sh [swift test arguments, e.g. --filter ListenerTests]
# Needs root (debootstrap, chroot, unshare) or sudo. Exits non-zero on any failure; ends with
# swift test's summary lines.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"

CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/sotay"
ROOT="$CACHE/swift-trixie"
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
mkdir -p "$TARGET_DIR"
TARGET_DIR="$(cd "$TARGET_DIR" && pwd -P)"
GEN="$TARGET_DIR/swift-bindings"
LOG="$TARGET_DIR/swift-test.log"

step() { echo "== $*"; }

# Runs the shell script $1 in the chroot, in a private mount namespace (nothing is mounted on
# the host): /proc (swift needs it to find its libraries), /dev, and each further argument, a
# host directory, bind-mounted at its own absolute path so paths agree inside and out. Also
# in its own PID namespace, so nothing it starts (a test server) outlives it.
in_chroot() {
    $SUDO unshare --mount --propagation private --pid --fork --kill-child -- bash -c '
        set -e
        ROOT="$1" SCRIPT="$2"
        shift 2
        mount -t proc proc "$ROOT/proc"
        mount --bind /dev "$ROOT/dev"
        for dir in "$@"; do
            mkdir -p "$ROOT$dir"
            mount --bind "$dir" "$ROOT$dir"
        done
        exec chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
            bash -euo pipefail -c "$SCRIPT"
    ' _ "$ROOT" "$@"
}

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "root or sudo is needed (debootstrap, chroot, unshare)" >&2; exit 1; }
    SUDO=sudo
fi

# ----- 1. toolchain: Swift 6 in a Debian trixie chroot ----------------------------------------

# The host's own Debian mirror (deb822 sources first, then the one-line format).
host_mirror() {
    local uri=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        uri="$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
            /etc/apt/sources.list.d/debian.sources)"
    fi
    if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
        uri="$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' \
            /etc/apt/sources.list)"
    fi
    echo "${uri:-http://deb.debian.org/debian}"
}

if [ ! -f "$ROOT/.swift-ready" ]; then
    started=$SECONDS
    if ! command -v debootstrap >/dev/null && [ ! -x /usr/sbin/debootstrap ]; then
        step "installing debootstrap on the host (apt-get)"
        install_debootstrap() { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap; }
        # The package lists are refreshed only when the install cannot find the package.
        install_debootstrap || { $SUDO apt-get update -q && install_debootstrap; }
    fi
    MIRROR="$(host_mirror)"
    # A half-made chroot (interrupted run) is started over: debootstrap does not resume.
    if [ -e "$ROOT" ]; then
        step "removing the unfinished chroot $ROOT"
        $SUDO rm -rf --one-file-system "$ROOT"
    fi
    mkdir -p "$CACHE"
    step "debootstrap trixie from $MIRROR into $ROOT (about a minute)"
    $SUDO env PATH="/usr/sbin:/usr/bin:/sbin:/bin" debootstrap --variant=minbase trixie "$ROOT" "$MIRROR" \
        >"$CACHE/swift-debootstrap.log" 2>&1 \
        || { tail -n 30 "$CACHE/swift-debootstrap.log" >&2; exit 1; }
    step "installing swiftlang and libc6-dev in the chroot (a minute or two)"
    cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
    in_chroot "export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        apt-get install -y -q --no-install-recommends swiftlang libc6-dev
        apt-get clean" >"$CACHE/swift-apt.log" 2>&1 \
        || { tail -n 30 "$CACHE/swift-apt.log" >&2; exit 1; }
    in_chroot "swift --version" >/dev/null 2>&1 || { echo "swift does not run in $ROOT" >&2; exit 1; }
    $SUDO touch "$ROOT/.swift-ready"
    step "Swift toolchain ready in $((SECONDS - started)) s"
fi

# ----- 2. Rust ------------------------------------------------------------------------------

step "cargo build -p sotay-ffi -p sotay-server (debug)"
CARGO_TARGET_DIR="$TARGET_DIR" cargo build --quiet -p sotay-ffi -p sotay-server
LIB_DIR="$TARGET_DIR/debug"
LIB="$LIB_DIR/libsotay_ffi.so"
SERVER_BIN="$LIB_DIR/sotay-server"
[ -f "$LIB" ] || { echo "$LIB was not built" >&2; exit 1; }

# ----- 3. bindings --------------------------------------------------------------------------

step "uniffi-bindgen generate --language swift"
rm -rf "$GEN"
mkdir -p "$GEN"
# Library mode, run inside the workspace: it finds bindings/uniffi.toml through cargo metadata.
"$LIB_DIR/uniffi-bindgen" generate --no-format --language swift --out-dir "$GEN" "$LIB" >/dev/null

# Copies a generated file into the package only when it changed: a new mtime alone would make
# SwiftPM recompile the whole generated module.
put() {
    mkdir -p "$(dirname "$2")"
    cmp -s "$1" "$2" || cp "$1" "$2"
}
put "$GEN/SoTayFFI.swift" ios/Sources/SoTayFFI/SoTayFFI.swift
put "$GEN/SoTayFFIC.h" ios/Sources/SoTayFFIC/SoTayFFIC.h
put "$GEN/SoTayFFIC.modulemap" ios/Sources/SoTayFFIC/module.modulemap

# ----- 4. swift build and test in the chroot ------------------------------------------------

step "swift build --build-tests && swift test (in the trixie chroot)"
set +e
# Arguments of this script go to `swift test` (e.g. --filter ListenerTests).
in_chroot "$(printf 'export SOTAY_FFI_LIB_DIR=%q SOTAY_SERVER_BIN=%q\ncd %q\nswift build --build-tests\nswift test' \
    "$LIB_DIR" "$SERVER_BIN" "$REPO/ios")${*:+$(printf ' %q' "$@")}" "$REPO" "$TARGET_DIR" 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
set -e

echo "== summary"
# XCTest prints a summary per suite; the last is all tests. Then swift-testing's line.
grep -aE "Executed [0-9]+ tests?, with" "$LOG" | tail -n 1 || true
grep -aE "Test run with [0-9]+ tests?" "$LOG" | tail -n 1 || true
if [ "$status" -ne 0 ]; then
    echo "swift test failed (exit $status); full output in $LOG" >&2
    exit "$status"
fi
