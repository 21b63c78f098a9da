#!/usr/bin/env bash
# The KeyGuard demo: builds the examples module and runs it. Needs only a JDK 17+ (the Maven
# wrapper fetches Maven and the dependencies on first use).
#
#   scripts/demo.sh                 offline demo: local HTTPS API, key rotation, refusals; exit 0
#                                   if every guarantee it demonstrates held
#   DEMO_API_KEY=... scripts/demo.sh     the same, with your value as the initial key: grep the
#                                   output for it, it is not there
#   scripts/demo.sh --preset coingecko-demo --key-env COINGECKO_API_KEY --path /ping
#                                   one call to a real API with the key from that variable
#   scripts/demo.sh --help
set -euo pipefail
cd "$(dirname "$0")/.."

# quiet build: only Maven errors are shown
./mvnw -q -B -ntp -Dquick -DskipTests -pl examples -am package
exec java -jar examples/target/keyguard-demo.jar "$@"
