#!/usr/bin/env bash
# Measures the core's ring choice: JMH throughput of one producer and one consumer through each ring kind.
# Prints JMH's table; "offer" ops/us is the hand-off rate (a failed offer on a full ring counts too, so read
# "poll" as well: successful polls bound what actually moved).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -DskipTests install -pl bench/jmh -am
java -cp "bench/jmh/target/classes:bench/jmh/target/lib/*" org.openjdk.jmh.Main RingHandoffBenchmark "$@"
