#!/usr/bin/env bash
# scripts/setup.sh — the set-up behind the README's two quick-start commands.
#
#   scripts/setup.sh run    install missing Debian packages, configure, build, then
#                           glc check + glc build on examples/agent-foundation (-> build/out)
#   scripts/setup.sh test   the same set-up plus the npm conformance validators, then the
#                           whole ctest suite, then the whole suite again under
#                           AddressSanitizer + UBSan in build-asan/ (GLC_SKIP_SANITIZE=1 skips it)
#
# Idempotent: packages are installed only when missing, npm ci runs only when
# tests/conformance/node_modules is missing or package-lock.json changed, builds are incremental.
# As root it installs packages itself (apt-get); otherwise it prints the apt-get line and exits 2.
# Works from any directory. Tests start their own Redis/PostgreSQL on random ports; the
# system services these packages ship are never started by this script nor relied on.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
ROOT=$(pwd)

JOBS=${GLC_JOBS:-2}
BUILD_TYPE=RelWithDebInfo
GLC="build/compiler/glc"
EXAMPLE="examples/agent-foundation"
CONFORMANCE="tests/conformance"

# Every Debian package the build, the runtime, the tests and the benchmarks need.
PACKAGES=(
  build-essential cmake pkg-config git
  libfyaml-dev libjansson-dev libcmocka-dev
  libpq-dev postgresql postgresql-contrib
  libhiredis-dev redis-server
  libmicrohttpd-dev librdkafka-dev libcurl4-openssl-dev libyaml-dev
  prometheus valgrind curl jq python3 wrk nginx-light hyperfine
)

STEP=""
banner() {
  STEP=$*
  printf '\n==> %s\n' "$*"
}
trap 'rc=$?; [ "$rc" -eq 0 ] || printf "\nsetup.sh: FAILED (exit %s) during: %s\n" "$rc" "$STEP" >&2' EXIT

usage() {
  echo "usage: scripts/setup.sh run|test" >&2
  echo "  run   install packages, build, glc check + glc build on $EXAMPLE" >&2
  echo "  test  install packages and npm validators, build, ctest, then the sanitizer pass" >&2
  echo "        (GLC_SKIP_SANITIZE=1 skips the sanitizer pass)" >&2
}

is_installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

# Prints the missing packages, one per line.
missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do is_installed "$p" || echo "$p"; done
  # Node may come from outside Debian's packages (NodeSource, nvm): ask the shell, not dpkg.
  if ! command -v node >/dev/null 2>&1; then
    echo nodejs
    echo npm
  elif ! command -v npm >/dev/null 2>&1; then
    echo npm
  fi
}

APT_UPDATED=0
apt_update_once() {
  [ "$APT_UPDATED" -eq 1 ] && return 0
  apt-get update </dev/null
  APT_UPDATED=1
}

# Installs with service starts forbidden (policy-rc.d), so that postgresql, redis-server,
# prometheus and nginx do not start system daemons the tests could collide with.
apt_install() {
  local policy=/usr/sbin/policy-rc.d created=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# temporary, from glc scripts/setup.sh: do not start services\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    created=1
  fi
  local rc=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" </dev/null || rc=$?
  [ "$created" -eq 0 ] || rm -f "$policy"
  return "$rc"
}

install_packages() {
  banner "Debian packages"
  local missing
  mapfile -t missing < <(missing_packages)
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "all ${#PACKAGES[@]} packages present; node $(node --version), npm $(npm --version)"
    return 0
  fi
  echo "missing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "Not root: install them with" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    echo "then run this script again." >&2
    exit 2
  fi
  apt_update_once
  apt_install "${missing[@]}"
  mapfile -t missing < <(missing_packages)
  if [ "${#missing[@]}" -ne 0 ]; then
    echo "still missing after apt-get install: ${missing[*]}" >&2
    exit 1
  fi
}

# A build tree configured from another checkout (a copied or moved tree) makes cmake refuse
# to configure: drop its cache so the tree is configured afresh for this source directory.
forget_foreign_cache() {
  local dir=$1 home
  [ -f "$dir/CMakeCache.txt" ] || return 0
  home=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$dir/CMakeCache.txt")
  if [ -n "$home" ] && [ "$(readlink -f "$home" 2>/dev/null || echo "$home")" != "$ROOT" ]; then
    echo "note: $dir/ was configured for $home; discarding its CMake cache"
    rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
  fi
}

configure_and_build() {
  banner "Configure (build/, $BUILD_TYPE)"
  if [ ! -d "$ROOT/../shared/mustache-spec" ]; then
    echo "note: ../shared/mustache-spec not found; set -DGLC_MUSTACHE_SPEC_DIR for the Mustache spec tests"
  fi
  forget_foreign_cache build
  cmake -S . -B build -DCMAKE_BUILD_TYPE="$BUILD_TYPE"
  banner "Build (build/, -j$JOBS)"
  cmake --build build -j"$JOBS"
}

run_example() {
  banner "glc check $EXAMPLE"
  "$GLC" check "$EXAMPLE"
  banner "glc build $EXAMPLE -o build/out"
  "$GLC" build "$EXAMPLE" -o build/out
  echo "output in $ROOT/build/out"
}

# npm ci only when node_modules is missing or the lockfile changed since the last install.
install_npm_deps() {
  banner "npm conformance validators ($CONFORMANCE)"
  local lock="$CONFORMANCE/package-lock.json" stamp="$CONFORMANCE/node_modules/.glc-lock.sha256" sum
  sum=$(sha256sum "$lock" | cut -d' ' -f1)
  if [ -d "$CONFORMANCE/node_modules" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    echo "node_modules up to date with package-lock.json"
    return 0
  fi
  (cd "$CONFORMANCE" && npm ci --no-audit --no-fund </dev/null)
  echo "$sum" >"$stamp"
}

run_ctest() {
  banner "ctest (build/)"
  ctest --test-dir build --output-on-failure --no-tests=error -j"$JOBS"
}

# The unit and script tests again, built with AddressSanitizer + UndefinedBehaviorSanitizer.
sanitizer_pass() {
  if [ "${GLC_SKIP_SANITIZE:-0}" = 1 ]; then
    banner "Sanitizer pass skipped (GLC_SKIP_SANITIZE=1)"
    return 0
  fi
  banner "Configure (build-asan/, GLC_SANITIZE=ON)"
  forget_foreign_cache build-asan
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DGLC_SANITIZE=ON
  banner "Build (build-asan/, -j$JOBS)"
  cmake --build build-asan -j"$JOBS"
  banner "ctest (build-asan/, every test under ASan + UBSan)"
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    ctest --test-dir build-asan --output-on-failure --no-tests=error -j"$JOBS"
}

main() {
  case "${1:-}" in
    run)
      install_packages
      configure_and_build
      run_example
      ;;
    test)
      install_packages
      install_npm_deps
      configure_and_build
      run_ctest
      sanitizer_pass
      ;;
    -h | --help)
      usage
      return 0
      ;;
    *)
      usage
      return 2
      ;;
  esac
  STEP=""
  banner "Done: scripts/setup.sh $1"
}

main "$@"
