#!/usr/bin/env bash
# Netty's network transports side by side: `ferry demo` (1 GiB RAM LUN / namespace) with -Dferry.io=epoll and with
# -Dferry.io=io_uring, in one interleaved run (rounds A B A B ..., each daemon alone while driven), with the cases of
# ../shared/peers/perf-peers.sh: iscsi-perf 4 KiB random reads at QD1/32/128 and, where SPDK is built in
# $SPDK_DIR, spdk_nvme_perf (on CPU 1) 4 KiB random reads QD1/32, random writes QD32 and 128 KiB reads QD8.
# Prints median IOPS and IOs per target CPU-second (utime+stime of the JVM), and io_uring/epoll ratios.
# A benchmark, not a test. Settings (environment): ROUNDS (3), DUR (8 s per case), TRANSPORTS ("epoll io_uring").
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=${ROUNDS:-3}
DUR=${DUR:-8}
TRANSPORTS=${TRANSPORTS:-"epoll io_uring"}
SPDK_DIR=${SPDK_DIR:-/tmp/spdk}
ISCSI_PORT=13290
NVME_PORT=14490
work=$(mktemp -d)
pid=""
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
command -v iscsi-perf >/dev/null || bash "$root/scripts/install-test-deps.sh" >/dev/null
"$root/ferry" --help >/dev/null  # builds the distribution once, before anything is timed
ticks=$(getconf CLK_TCK)
cpu() { awk -v t="$ticks" '{printf "%.3f", ($14+$15)/t}' "/proc/$1/stat"; }
rec() { printf '%s\t%s\t%s\t%s\n' "$@" >>"$work/results.tsv"; }  # transport case iops cpu_s

start() {  # TRANSPORT
    FERRY_JAVA_OPTS="-Dferry.io=$1" "$root/ferry" demo --iscsi-port $ISCSI_PORT --nvme-port $NVME_PORT \
        >"$work/ferry-$1.log" 2>&1 &
    pid=$!
    for _ in $(seq 120); do
        grep -q "nvme listening" "$work/ferry-$1.log" && return 0
        kill -0 "$pid" 2>/dev/null || { tail -n 20 "$work/ferry-$1.log" >&2; return 1; }
        sleep 0.5
    done
    return 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

iscsi_case() {  # TRANSPORT QD
    local c0 iops
    c0=$(cpu "$pid")
    iops=$(timeout $((DUR + 20)) iscsi-perf -i iqn.2026-11.test:io-transport -m "$2" -b 8 -t "$DUR" -r \
        "iscsi://127.0.0.1:$ISCSI_PORT/iqn.2026-11.dev.ferry:demo/0" 2>&1 \
        | tr '\r' '\n' | sed -n 's/.*iops average \([0-9]*\).*/\1/p' | tail -1)
    rec "$1" "iscsi rr4k-qd$2" "${iops:-0}" "$(awk -v a="$c0" -v b="$(cpu "$pid")" 'BEGIN{print b-a}')"
}
nvme_case() {  # TRANSPORT NAME QD SIZE WORKLOAD
    local c0 iops
    c0=$(cpu "$pid")
    iops=$(timeout $((DUR + 30)) "$SPDK_DIR/build/bin/spdk_nvme_perf" --no-huge -s 512 -c 0x2 -q "$3" -o "$4" \
        -w "$5" -t "$DUR" -r "trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:$NVME_PORT subnqn:nqn.2026-11.dev.ferry:demo hostnqn:nqn.2014-08.org.nvmexpress:uuid:2b5f1d7e-1111-2222-3333-444455556666" \
        2>&1 | awk '/^Total/{print int($3)}' | tail -1)
    rec "$1" "nvme $2" "${iops:-0}" "$(awk -v a="$c0" -v b="$(cpu "$pid")" 'BEGIN{print b-a}')"
}

: >"$work/results.tsv"
for r in $(seq "$ROUNDS"); do
    for t in $TRANSPORTS; do
        echo "round $r: $t" >&2
        start "$t" || { echo "ferry -Dferry.io=$t did not start" >&2; exit 1; }
        grep -m1 "event loops" "$work/ferry-$t.log" >&2 || true
        for qd in 1 32 128; do iscsi_case "$t" "$qd"; done
        if [[ -x $SPDK_DIR/build/bin/spdk_nvme_perf ]]; then
            nvme_case "$t" rr4k-qd1 1 4096 randread; nvme_case "$t" rr4k-qd32 32 4096 randread
            nvme_case "$t" rw4k-qd32 32 4096 randwrite; nvme_case "$t" sr128k-qd8 8 131072 read
        fi
        stop
    done
done
python3 - "$work/results.tsv" "$DUR" $TRANSPORTS <<'PY'
import sys, statistics as st, collections
dur = float(sys.argv[2]); ts = sys.argv[3:]
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    t, case, iops, cpu = line.rstrip("\n").split("\t")
    d[(case, t)].append((float(iops), float(cpu)))
cases = sorted({c for c, _ in d})
print("| case | " + " | ".join(ts) + " | " + " | ".join(f"{t}/{ts[0]}" for t in ts[1:]) + " |")
print("|---" * (1 + 2 * len(ts) - 1) + "|")
for c in cases:
    m = {}
    for t in ts:
        v = d.get((c, t), [])
        if v:
            m[t] = (st.median(x for x, _ in v), st.median(x * dur / y if y > 0 else 0 for x, y in v))
    cells = [f"{m[t][0]:,.0f} ({m[t][1]:,.0f})" if t in m else "-" for t in ts]
    ratios = [f"{m[t][0] / m[ts[0]][0]:.2f} ({m[t][1] / m[ts[0]][1]:.2f})" if t in m and ts[0] in m and m[ts[0]][0] and m[ts[0]][1] else "-" for t in ts[1:]]
    print(f"| {c} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
print(f"\nmedian IOPS (IOs per target CPU-second) over the rounds, {dur:.0f} s per case")
PY
