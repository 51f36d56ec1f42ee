# Shared by scripts/dev, scripts/test and scripts/bench: find or install what
# the project needs, printing each step and skipping what is already done.
# shellcheck shell=bash

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CARGO_LEPTOS_VERSION="0.3.10"
# Builds stay warm between fresh clones (CI starts from one every time).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/partnerstwa/target}"
# cargo-leptos sets this while building; setting it the same for plain cargo
# commands keeps them from invalidating each other's builds.
export LEPTOS_OUTPUT_NAME="partnerstwa"
# What cargo-leptos passes to release builds (always-erase-components in
# Cargo.toml); other cargo commands writing to target/release use the same.
RELEASE_RUSTFLAGS="--cfg erase_components"
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"

step() { printf '\n\033[1;34m==>\033[0m \033[1m%s\033[0m\n' "$*"; }
done_already() { printf '    \033[2m%s\033[0m\n' "$*"; }
fail() { printf '\n\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = "0" ]; }

apt_install() {
  if ! is_root; then
    fail "missing $*: install it with 'sudo apt-get install -y $*' and run this again"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null \
    || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null; }
}

ensure_rust() {
  command -v cargo >/dev/null || fail "Rust is missing: install it from https://rustup.rs and run this again"
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    done_already "wasm32-unknown-unknown target is installed"
  else
    step "Adding the wasm32-unknown-unknown Rust target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_cargo_leptos() {
  if cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION\$"; then
    done_already "cargo-leptos $CARGO_LEPTOS_VERSION is installed"
  else
    step "Installing cargo-leptos $CARGO_LEPTOS_VERSION (once; about 11 minutes on 2 cores)"
    # Newer releases need a newer Rust; no_downloads makes a missing tool an
    # error instead of a download attempt from GitHub.
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
  fi
}

wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_wasm_bindgen() {
  local version
  version="$(wasm_bindgen_version)"
  [ -n "$version" ] || fail "cannot read the wasm-bindgen version from Cargo.lock"
  if wasm-bindgen --version 2>/dev/null | grep -q " $version\$"; then
    done_already "wasm-bindgen CLI $version is installed"
  else
    step "Installing the wasm-bindgen CLI $version (matches Cargo.lock; about 2 minutes)"
    # Without --locked: its lock file pins a webpki-roots that is no longer published.
    cargo install wasm-bindgen-cli --version "$version"
  fi
}

ensure_nextest() {
  if cargo nextest --version >/dev/null 2>&1; then
    done_already "cargo-nextest is installed"
  else
    step "Installing cargo-nextest (runs each test in its own process; about 5 minutes)"
    cargo install cargo-nextest --locked
  fi
}

ensure_node_packages() {
  command -v npm >/dev/null || apt_install nodejs npm
  local stamp="$ROOT/end2end/node_modules/.partnerstwa-lock"
  if [ -f "$stamp" ] && cmp -s "$stamp" "$ROOT/end2end/package-lock.json"; then
    done_already "Node packages (Playwright, binaryen's wasm-opt) are installed"
  else
    step "Installing Node packages in end2end/ (Playwright, binaryen's wasm-opt)"
    (cd "$ROOT/end2end" && npm ci --no-audit --no-fund)
    cp "$ROOT/end2end/package-lock.json" "$stamp"
  fi
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then
    done_already "Chromium is installed"
  else
    step "Installing Debian's Chromium for the browser tests"
    apt_install chromium
  fi
}

# Only scripts/bench uses it: the main module's breakdown by crate.
ensure_twiggy() {
  if command -v twiggy >/dev/null; then
    done_already "twiggy is installed"
  else
    step "Installing twiggy (the wasm size profiler; about 3 minutes)"
    cargo install twiggy --locked
  fi
}

ensure_build_tools() {
  ensure_rust
  ensure_cargo_leptos
  ensure_wasm_bindgen
  ensure_nextest
  ensure_node_packages
}

# --- PostgreSQL -------------------------------------------------------------

PG_LOCAL_DIR="$ROOT/.data/postgres"
PG_LOCAL_PORT=5433

port_answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

pg_bin_dir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

as_postgres_user() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_local_cluster() {
  local bin
  bin="$(pg_bin_dir || true)"
  if [ -z "$bin" ]; then
    step "Installing Debian's PostgreSQL"
    apt_install postgresql
    bin="$(pg_bin_dir)" || fail "PostgreSQL was installed but initdb was not found"
  fi
  mkdir -p "$ROOT/.data"
  if [ ! -f "$PG_LOCAL_DIR/PG_VERSION" ]; then
    step "Creating a project-local PostgreSQL cluster in .data/postgres"
    mkdir -p "$PG_LOCAL_DIR"
    is_root && chown postgres:postgres "$PG_LOCAL_DIR"
    as_postgres_user "$bin/initdb" -D "$PG_LOCAL_DIR" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if port_answers 127.0.0.1 "$PG_LOCAL_PORT"; then
    done_already "project-local PostgreSQL is running on port $PG_LOCAL_PORT"
  else
    step "Starting the project-local PostgreSQL on 127.0.0.1:$PG_LOCAL_PORT"
    as_postgres_user "$bin/pg_ctl" -D "$PG_LOCAL_DIR" -l "$PG_LOCAL_DIR/server.log" -w \
      -o "-p $PG_LOCAL_PORT -c listen_addresses=127.0.0.1 -k $PG_LOCAL_DIR" start >/dev/null
  fi
}

# Sets PG_SERVER_URL (a URL without a database name) and DATABASE_URL.
ensure_database() {
  local dbname="$1"
  if [ -n "${DATABASE_URL:-}" ]; then
    done_already "using DATABASE_URL from the environment"
    PG_SERVER_URL="${DATABASE_URL%/*}"
    return
  fi
  if port_answers 127.0.0.1 5432; then
    done_already "found PostgreSQL on 127.0.0.1:5432"
    PG_SERVER_URL="postgres://postgres@127.0.0.1:5432"
  else
    start_local_cluster
    PG_SERVER_URL="postgres://postgres@127.0.0.1:$PG_LOCAL_PORT"
  fi
  export DATABASE_URL="$PG_SERVER_URL/$dbname"
}

# --- Release bundle size ----------------------------------------------------

# What a first visit downloads of the build, as served (brotli): the main
# module (wasm, its JS glue, the split loader, the stylesheet) that every
# page loads, and the kiosk route (the main module and the kiosk's chunks).
# The limits sit a little above the build as measured (README, "Release
# bundle size"), so nothing grows unnoticed: lower them as the bundle shrinks.
MAIN_LIMIT_KB=375
KIOSK_LIMIT_KB=510

check_bundle_size() {
  node "$ROOT/scripts/bundle-size.mjs" "$ROOT/target/site/pkg" "$CARGO_TARGET_DIR/release/hash.txt" \
    "$MAIN_LIMIT_KB" "$KIOSK_LIMIT_KB" || fail "the release bundle grew past its limits (above)"
}
