#!/usr/bin/env bash
# Installs Toxiproxy (Shopify's fault-injecting TCP proxy, used by the fault-injection integration
# tests and the load harness) into the git-ignored .tools/toxiproxy/bin. Idempotent: when the pinned
# version is already installed it only checks and exits within a second.
#
# Needs Go 1.22+ and access to the Go module proxy (the build takes about a minute the first time).
# Override the go binary with GO=/path/to/go.
set -euo pipefail
cd "$(dirname "$0")/.."

TOXIPROXY_VERSION="v2.5.0"
DIR=".tools/toxiproxy"
BIN="$DIR/bin/toxiproxy-server"
STAMP="$DIR/.toxiproxy-$TOXIPROXY_VERSION"
GO="${GO:-go}"

if [ -x "$BIN" ] && [ -f "$STAMP" ]; then
  echo "toxiproxy $TOXIPROXY_VERSION already installed in $DIR"
  exit 0
fi

if ! command -v "$GO" >/dev/null 2>&1; then
  echo "error: $GO not found; install Go 1.22+ (https://go.dev/doc/install) or set GO" >&2
  exit 1
fi

echo "installing toxiproxy $TOXIPROXY_VERSION into $DIR"
mkdir -p "$DIR/bin"
GOBIN="$(pwd)/$DIR/bin" GOFLAGS="${GOFLAGS:-} -buildvcs=false" \
  "$GO" install "github.com/Shopify/toxiproxy/v2/cmd/server@$TOXIPROXY_VERSION"
mv -f "$DIR/bin/server" "$BIN"
"$BIN" -version >/dev/null
rm -f "$DIR"/.toxiproxy-*
touch "$STAMP"
echo "toxiproxy $TOXIPROXY_VERSION installed: $BIN"
