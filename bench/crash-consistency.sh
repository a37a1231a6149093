#!/usr/bin/env bash
# Runs CrashConsistencyTest for many SIGKILL cycles (CI runs 20): ferry serve killed at random moments under
# FUA/flush writes to a file and a loop-device backstore, every durable write checked after each restart.
# Needs root (losetup). Usage: bench/crash-consistency.sh [CYCLES [SEED]]   (default 200 cycles, a fresh seed)
# It prints the cycle count, time and write counts; a failure prints the seed: run again with it to replay the same
# workload and kill delays.
set -euo pipefail
cd "$(dirname "$0")/.."
cycles=${1:-200}
seed_arg=()
if [[ $# -ge 2 ]]; then
    seed_arg=("-Dferry.crash.seed=$2")
fi
mvn -B -ntp -q verify -pl tests/integration -am -Dtest=CrashConsistencyTest -Dsurefire.failIfNoSpecifiedTests=false \
    "-Dferry.crash.cycles=$cycles" "${seed_arg[@]}"
