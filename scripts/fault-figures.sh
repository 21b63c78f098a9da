#!/usr/bin/env bash
# Runs the fault-injection and hostile-response tests of every backend and the client (the same
# tests scripts/test.sh runs) and prints their figure lines, the source of the tables in README.md
# ("Reliability"). About 4 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

for provision in scripts/provision-moto.sh scripts/provision-openbao.sh scripts/provision-toxiproxy.sh; do
  bash "$provision" >/dev/null
done
./mvnw -B -ntp -q -Dquick -Pit verify -pl sdk-core,sdk-aws,sdk-vault,sdk-azure -am \
  -Dtest='*HostileResponsesTest,KeyManagerCloseUnderLoadTest,ClientConcurrencyFaultsTest' \
  -Dit.test='*NetworkFaultsIT' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfailsafe.failIfNoSpecifiedTests=false
# FAULT lines of the backends come through the log (KeyFaultScenario logs them at INFO), the others
# are printed by the tests: take each from where it starts in its line
grep -ho 'FAULT [a-z-]* |.*\|HOSTILE [a-z-]* |.*' sdk-*/target/failsafe-reports/*-output.txt \
  sdk-*/target/surefire-reports/*-output.txt
