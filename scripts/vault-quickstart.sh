#!/usr/bin/env bash
# Runs the Vault / OpenBao quick start (examples: dev.keyguard.examples.VaultQuickStart).
#
#   scripts/vault-quickstart.sh              against an OpenBao dev server with TLS that this script
#                                            starts (installed by scripts/provision-openbao.sh): sets it
#                                            up as an operator would, then reads the key through AppRole
#   scripts/vault-quickstart.sh --key PATH   against your Vault: VAULT_ADDR, VAULT_TOKEN (and
#                                            VAULT_NAMESPACE, VAULT_CACERT) from the environment
set -euo pipefail
cd "$(dirname "$0")/.."

./mvnw -B -ntp -q -pl examples -am package -Dquick -DskipTests \
  dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
CP="examples/target/classes:$(cat examples/target/classpath.txt)"

if [ "$#" -gt 0 ]; then
  exec java -cp "$CP" dev.keyguard.examples.VaultQuickStart "$@"
fi

bash scripts/provision-openbao.sh >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
WORK="$(mktemp -d -t openbao-quickstart.XXXXXX)"
# the dev server's root token: made here, never printed (the server's log, which prints it, is
# deleted with the work directory)
ROOT_TOKEN="$(python3 -c 'import secrets; print(secrets.token_urlsafe(30))')"
HOME="$WORK" BAO_DEV_ROOT_TOKEN_ID="$ROOT_TOKEN" .tools/openbao/bin/bao server -dev \
  -dev-no-store-token -dev-tls -dev-tls-cert-dir="$WORK" \
  -dev-listen-address="127.0.0.1:$PORT" >"$WORK/bao.log" 2>&1 &
BAO_PID=$!
trap 'kill "$BAO_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
# ready when the KV v2 mount answers (right after start it is still being upgraded to v2); the
# header file keeps the token off curl's command line
printf 'X-Vault-Token: %s\n' "$ROOT_TOKEN" >"$WORK/token-header"
for _ in $(seq 1 100); do
  [ -f "$WORK/vault-ca.pem" ] && curl -sf --cacert "$WORK/vault-ca.pem" -H @"$WORK/token-header" \
    "https://127.0.0.1:$PORT/v1/secret/config" >/dev/null 2>&1 && break
  sleep 0.1
done
echo "OpenBao dev server (TLS) on https://127.0.0.1:$PORT"
VAULT_ADDR="https://127.0.0.1:$PORT" VAULT_CACERT="$WORK/vault-ca.pem" VAULT_TOKEN="$ROOT_TOKEN" \
  java -cp "$CP" dev.keyguard.examples.VaultQuickStart --demo
