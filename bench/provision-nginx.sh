#!/usr/bin/env bash
# Installs nginx from Debian into .tools/nginx (no root, no system service) and a self-signed TLS
# certificate for 127.0.0.1 / localhost, for the end-to-end client benchmark
# (dev.keyguard.bench.e2e.ClientOverhead), which starts and stops nginx itself.
# Idempotent: does nothing when both are in place. Not run by scripts/test.sh (benchmarks only).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.tools/nginx"
bin="$dir/usr/sbin/nginx"
tls="$dir/tls"
if [[ ! -x "$bin" ]]; then
  command -v apt-get >/dev/null || { echo "apt-get not found: install nginx 1.22+ and link it to $bin" >&2; exit 1; }
  mkdir -p "$dir/deb"
  (cd "$dir/deb" && apt-get download nginx >/dev/null)
  dpkg-deb -x "$dir"/deb/nginx_*.deb "$dir"
  "$bin" -v
fi
if [[ ! -s "$tls/cert.pem" ]]; then
  mkdir -p "$tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$tls/key.pem" -out "$tls/cert.pem" 2>/dev/null
fi
echo "nginx ready: $bin, certificate $tls/cert.pem"
