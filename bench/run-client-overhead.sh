#!/usr/bin/env bash
# The end-to-end client benchmark in one command: installs nginx (bench/provision-nginx.sh), builds
# the benchmark jar and runs dev.keyguard.bench.e2e.ClientOverhead with the given options
# (default: 2 warm-up + 6 measured pairs of 3 s legs per scheme, about 3.5 minutes).
# A longer run: bench/run-client-overhead.sh --pairs 20 --seconds 10
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bench/provision-nginx.sh
./mvnw -q -B -ntp -Dquick -DskipTests -pl bench -am package
exec java -cp bench/target/benchmarks.jar dev.keyguard.bench.e2e.ClientOverhead "$@"
