#!/usr/bin/env bash
# The Kotlin suite of the Android library layer (android/sotay), on the JVM, without Gradle
# or the Android SDK (neither is available on CI machines; see android/README.md):
#
#   1. installs what it needs, cached outside the repository in
#      ${XDG_CACHE_HOME:-$HOME/.cache}/sotay/: the Kotlin compiler (npm package
#      kotlin-compiler, the full kotlinc distribution with kotlinx-coroutines), and JNA and
#      JUnit 4 from Debian (apt-get, when missing);
#   2. builds sotay-ffi (debug) and sotay-server;
#   3. generates the Kotlin bindings with the workspace's own uniffi-bindgen into
#      android/sotay/build/ (a build output, never committed);
#   4. compiles the library (generated bindings + android/sotay/src/main/kotlin) and its
#      tests (android/sotay/src/test/kotlin) with kotlinc -Werror;
#   5. runs the JUnit tests, which start the real sotay-server.
#
# Exits non-zero on any failure; the last line is JUnit's summary ("OK (N tests)").
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"

KOTLIN_VERSION=2.4.20
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/sotay"
KOTLIN_HOME="$CACHE/kotlin-compiler-$KOTLIN_VERSION"
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
BUILD="$REPO/android/sotay/build/kotlin-test"
JAVA_DIR=/usr/share/java

step() { echo "== $*"; }

# ----- 1. toolchain -------------------------------------------------------------------------

if [ ! -x "$KOTLIN_HOME/bin/kotlinc" ]; then
    step "installing kotlinc $KOTLIN_VERSION into $KOTLIN_HOME"
    command -v npm >/dev/null || { echo "npm is needed to fetch the Kotlin compiler" >&2; exit 1; }
    mkdir -p "$CACHE"
    tmp="$(mktemp -d "$CACHE/.kotlin-XXXXXX")"
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent "kotlin-compiler@$KOTLIN_VERSION" >/dev/null && tar -xzf kotlin-compiler-*.tgz)
    chmod +x "$tmp"/package/bin/*
    rm -rf "$KOTLIN_HOME"
    mv "$tmp/package" "$KOTLIN_HOME"
    rm -rf "$tmp"
    trap - EXIT
fi
KLIB="$KOTLIN_HOME/lib"
for jar in kotlin-stdlib.jar kotlin-test.jar kotlin-test-junit.jar kotlinx-coroutines-core-jvm.jar; do
    [ -f "$KLIB/$jar" ] || { echo "$KLIB/$jar is missing; delete $KOTLIN_HOME and rerun" >&2; exit 1; }
done

if [ ! -f "$JAVA_DIR/jna.jar" ] || [ ! -f "$JAVA_DIR/junit4.jar" ] || [ ! -f "$JAVA_DIR/hamcrest.jar" ]; then
    step "installing JNA and JUnit 4 (apt-get: libjna-java junit4)"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "root or sudo is needed to install libjna-java junit4" >&2; exit 1; }
        SUDO=sudo
    fi
    install() {
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o=Dpkg::Use-Pty=0 \
            --no-install-recommends libjna-java junit4 >/dev/null
    }
    # The package lists are refreshed only when the install cannot find the packages.
    install || { $SUDO apt-get update -qq && install; }
fi
command -v java >/dev/null || { echo "a JDK (17 or newer) is needed" >&2; exit 1; }

# ----- 2. Rust ------------------------------------------------------------------------------

step "cargo build -p sotay-ffi -p sotay-server"
cargo build --quiet -p sotay-ffi -p sotay-server
case "$(uname -s)" in
    Darwin) LIB="$TARGET_DIR/debug/libsotay_ffi.dylib" ;;
    *) LIB="$TARGET_DIR/debug/libsotay_ffi.so" ;;
esac

# ----- 3. bindings --------------------------------------------------------------------------

step "uniffi-bindgen generate --language kotlin"
rm -rf "$BUILD"
mkdir -p "$BUILD/generated" "$BUILD/classes"
"$TARGET_DIR/debug/uniffi-bindgen" generate --no-format --language kotlin \
    --out-dir "$BUILD/generated" "$LIB" >/dev/null

# ----- 4. compile ---------------------------------------------------------------------------

KOTLINC=("$KOTLIN_HOME/bin/kotlinc" -J-XX:TieredStopAtLevel=1 -Werror -jvm-target 17)
mapfile -t MAIN < <(find "$BUILD/generated" android/sotay/src/main/kotlin -name '*.kt' | sort)
mapfile -t TESTS < <(find android/sotay/src/test/kotlin -name '*.kt' | sort)

step "kotlinc: library (${#MAIN[@]} files)"
LIB_CP="$JAVA_DIR/jna.jar:$KLIB/kotlinx-coroutines-core-jvm.jar"
"${KOTLINC[@]}" "${MAIN[@]}" -cp "$LIB_CP" -d "$BUILD/sotay.jar"

step "kotlinc: tests (${#TESTS[@]} files)"
TEST_CP="$BUILD/sotay.jar:$LIB_CP:$JAVA_DIR/junit4.jar:$JAVA_DIR/hamcrest.jar:$KLIB/kotlin-test.jar:$KLIB/kotlin-test-junit.jar"
"${KOTLINC[@]}" "${TESTS[@]}" -cp "$TEST_CP" -d "$BUILD/sotay-tests.jar"

# ----- 5. run -------------------------------------------------------------------------------

mapfile -t CLASSES < <(jar tf "$BUILD/sotay-tests.jar" | grep -E 'Test\.class$' | grep -v '\$' \
    | sed -e 's/\.class$//' -e 's|/|.|g' | sort)
[ "${#CLASSES[@]}" -gt 0 ] || { echo "no test classes found" >&2; exit 1; }
step "JUnit: ${CLASSES[*]}"
java -Djna.library.path="$(dirname "$LIB")" \
    -Dsotay.server.bin="$TARGET_DIR/debug/sotay-server" \
    -cp "$BUILD/sotay-tests.jar:$TEST_CP:$KLIB/kotlin-stdlib.jar" \
    org.junit.runner.JUnitCore "${CLASSES[@]}"
