#!/usr/bin/env bash
# Rewrites the committed public API listings (api/<artifactId>.api of each published module) from
# the current code. Review the diff of api/*.api and commit it with the change that caused it.
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./mvnw -B -ntp -Dquick verify -DskipTests -Dapi.update=true "$@"
