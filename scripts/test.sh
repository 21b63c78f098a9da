#!/usr/bin/env bash
# Runs every test of KeyGuard, unit and integration, on a machine that has only a JDK 17+,
# Python 3 with pip, and network access to Maven Central and PyPI.
# It first provisions the real backends the integration tests start (into .tools/, git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

for provision in scripts/provision-*.sh; do
  [ -e "$provision" ] || continue
  echo "==> $provision"
  bash "$provision"
done

echo "==> unit and integration tests"
exec ./mvnw -B -ntp verify -Pit "$@"
