#!/usr/bin/env bash
# Measures the core's ring choice: JMH throughput of one producer and one consumer through each ring kind.
# Prints JMH's table; both sides spin until their operation succeeds, so "offer" and "poll" ops/us are each the
# rate of completed hand-offs.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -DskipTests install -pl bench/jmh -am
java -cp "bench/jmh/target/classes:bench/jmh/target/lib/*" org.openjdk.jmh.Main RingHandoffBenchmark "$@"
