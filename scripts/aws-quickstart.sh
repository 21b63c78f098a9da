#!/usr/bin/env bash
# Runs the AWS quick start (examples: dev.keyguard.examples.AwsQuickStart).
#
#   scripts/aws-quickstart.sh                      against a moto emulator this script starts: creates
#                                                  a demo secret, reads it, rotates it
#   scripts/aws-quickstart.sh --secret-id NAME     against AWS (region and credentials from the SDK's
#                                                  default chains); any other options are passed on
#   KEYGUARD_AWS_ENDPOINT=http://127.0.0.1:5000 scripts/aws-quickstart.sh --demo
#                                                  against an emulator that is already running
set -euo pipefail
cd "$(dirname "$0")/.."

./mvnw -B -ntp -q -pl examples -am package -Dquick -DskipTests \
  dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
CP="examples/target/classes:$(cat examples/target/classpath.txt)"

if [ "$#" -gt 0 ] || [ -n "${KEYGUARD_AWS_ENDPOINT:-}" ]; then
  exec java -cp "$CP" dev.keyguard.examples.AwsQuickStart "$@"
fi

bash scripts/provision-moto.sh >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
LOG="$(mktemp -t moto-quickstart.XXXXXX.log)"
.tools/moto/bin/moto_server -H 127.0.0.1 -p "$PORT" >"$LOG" 2>&1 &
MOTO_PID=$!
trap 'kill "$MOTO_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
    "http://127.0.0.1:$PORT/moto-api/data.json" >/dev/null 2>&1 && break
  sleep 0.1
done
java -cp "$CP" dev.keyguard.examples.AwsQuickStart --endpoint "http://127.0.0.1:$PORT" --demo
