#!/usr/bin/env bash
# The rotation-under-load harness (bench: dev.keyguard.bench.aws.RotationUnderLoad): 16 threads
# call a local HTTPS API for 60 s per contender while the key is rotated in moto every 10 s, through
# KeyGuard and through the AWS caching client. Prints the table that README.md ("Reliability")
# quotes. Options are passed on: --seconds N --threads N --refresh PT5S --rotate-every PT10S.
# Takes about 3 minutes with the defaults (build included); not part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/provision-moto.sh >/dev/null
./mvnw -B -ntp -q -Dquick -pl bench -am package -DskipTests
exec java -cp bench/target/benchmarks.jar dev.keyguard.bench.aws.RotationUnderLoad "$@"
