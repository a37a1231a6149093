#!/usr/bin/env bash
# Serves the demo 1 GiB RAM namespace from Ferry (`ferry demo`, subsystem nqn.2026-11.dev.ferry:demo) and drives it
# over 127.0.0.1 with bench/nvme-load, our own NVMe/TCP load generator: Debian 12 has no userspace NVMe/TCP client
# (no SPDK perf, no fio nvme engine) and this host has no nvme-tcp module, so no kernel initiator or nvmet to
# compare with. It writes a known pattern over REGION_MIB first, then runs random 4 KiB reads at QD 1, 32 and 128,
# checksumming every block read, and prints IOPS, MiB/s, Ferry's CPU seconds (utime+stime from /proc/PID/stat) and
# IOPS per Ferry CPU-second. The generator runs on the same cores as Ferry, so the numbers include that contention.
# A benchmark, not a test. Settings (environment):
#   ISCSI_PORT (13272)  NVME_PORT (14430)  SECONDS_PER_RUN (10)  REGION_MIB (256)  DEPTHS ("1 32 128")
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ISCSI_PORT=${ISCSI_PORT:-13272}
NVME_PORT=${NVME_PORT:-14430}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
REGION_MIB=${REGION_MIB:-256}
DEPTHS=${DEPTHS:-"1 32 128"}
NQN=nqn.2026-11.dev.ferry:demo
TICKS=$(getconf CLK_TCK)
cli="$root/packaging/cli/target"
load="$root/bench/nvme-load/target/nvme-load.jar"
work=$(mktemp -d)

ferry_pid=""
cleanup() {
    if [[ -n $ferry_pid ]] && kill -0 "$ferry_pid" 2>/dev/null; then
        kill "$ferry_pid"; wait "$ferry_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

[[ -f $cli/ferry-cli.jar ]] || { echo "bench: build the distribution first (./ferry builds it)" >&2; exit 1; }
[[ -f $load ]] || mvn -q -o -f "$root/bench/nvme-load/pom.xml" package
# The NVMe modules of this checkout, when built, go before the distribution's copies.
nvme_jars=""
for j in "$root"/frontends/nvme/target/ferry-frontend-nvme-*.jar "$root"/frontends/nvme-tcp/target/ferry-frontend-nvme-tcp-*.jar; do
    [[ -f $j && $j != *tests.jar ]] && nvme_jars="$nvme_jars$j:"
done

java -cp "$nvme_jars$cli/lib/*:$cli/ferry-cli.jar" dev.ferry.cli.FerryCli demo \
    --iscsi-port "$ISCSI_PORT" --nvme-port "$NVME_PORT" > "$work/ferry.log" 2>&1 &
ferry_pid=$!
for _ in $(seq 60); do
    grep -q "nvme listening" "$work/ferry.log" && break
    kill -0 "$ferry_pid" 2>/dev/null || { cat "$work/ferry.log" >&2; exit 1; }
    sleep 0.5
done
grep -q "nvme listening" "$work/ferry.log" || { echo "bench: ferry did not start" >&2; tail "$work/ferry.log" >&2; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime of every thread
nvme_load() { java -jar "$load" "$1" "127.0.0.1:$NVME_PORT" "$NQN" --region-mib "$REGION_MIB" "${@:2}"; }
value() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

echo "bench: writing the pattern over $REGION_MIB MiB" >&2
nvme_load prepare >&2
echo "bench: warm-up (3 s at QD 32, not reported)" >&2
nvme_load read --qd 32 --seconds 3 > /dev/null

printf '%-5s | %6s | %10s | %8s | %10s | %18s\n' QD queues IOPS MiB/s "Ferry CPU-s" "IOPS per CPU-s"
for qd in $DEPTHS; do
    before=$(cpu_ticks "$ferry_pid")
    out=$(nvme_load read --qd "$qd" --seconds "$SECONDS_PER_RUN")
    after=$(cpu_ticks "$ferry_pid")
    echo "bench: $out" >&2
    awk -v qd="$qd" -v q="$(value queues <<<"$out")" -v iops="$(value iops <<<"$out")" \
        -v mib="$(value mib_s <<<"$out")" -v secs="$(value seconds <<<"$out")" \
        -v cpu="$(( after - before ))" -v ticks="$TICKS" 'BEGIN {
            c = cpu / ticks
            per = c > 0 ? iops * secs / c : 0   # a bare ">" inside printf would redirect to a file
            printf "%-5s | %6s | %10.0f | %8.1f | %10.2f | %18.0f\n", qd, q, iops, mib, c, per
        }'
done
