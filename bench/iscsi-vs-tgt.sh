#!/usr/bin/env bash
# Serves the same 1 GiB RAM LUN from Ferry (./ferry demo) and from tgt (a file in /dev/shm), one after the other,
# drives each with iscsi-perf and qemu-img bench over 127.0.0.1, and prints IOPS, MiB/s, the target process's CPU
# seconds (utime+stime from /proc/PID/stat) and IOPS per target CPU-second, with Ferry/tgt ratios.
# A benchmark, not a test: scripts/test.sh does not run it. Settings (environment):
#   FERRY_PORT (13270)  TGT_PORT (13271)  TGT_CONTROL_PORT (27)  SECONDS_PER_RUN (10, iscsi-perf)
#   QD1_COUNT (20000)  QD32_COUNT (100000)  SEQ_COUNT (8192, 128 KiB each)   (qemu-img bench request counts)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FERRY_PORT=${FERRY_PORT:-13270}
TGT_PORT=${TGT_PORT:-13271}
TGT_CONTROL_PORT=${TGT_CONTROL_PORT:-27}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
QD1_COUNT=${QD1_COUNT:-20000}
QD32_COUNT=${QD32_COUNT:-100000}
SEQ_COUNT=${SEQ_COUNT:-8192}
TGT_IQN=iqn.2026-11.dev.ferry:bench-tgt
TGT_FILE=/dev/shm/ferry-bench-tgt.img
TICKS=$(getconf CLK_TCK)
work=$(mktemp -d)

ferry_pid="" tgt_pid=""
cleanup() {
    stop_servers
    rm -f "$TGT_FILE"
}
trap 'cleanup; rm -rf "$work"' EXIT

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # fail, cpu_ticks, wait_for_portal, stop_servers

# One measured run: NAME TARGET PID URL perf|qemu DEPTH BYTES COUNT [-w]; writes "ops seconds cpu_seconds bytes"
# to $work/TARGET.NAME
measure() {
    local name=$1 target=$2 pid=$3 url=$4 kind=$5 depth=$6 size=$7 count=$8 write=${9:-}
    local before after start end ops secs out
    before=$(cpu_ticks "$pid")
    start=$(date +%s.%N)
    if [[ $kind == perf ]]; then
        out=$(timeout -k 5 $((SECONDS_PER_RUN + 30)) iscsi-perf -m "$depth" -b $((size / 512)) -t "$SECONDS_PER_RUN" -r "$url" 2>&1)
        end=$(date +%s.%N)
        ops=$(grep -o 'iops average [0-9]*' <<<"$out" | tail -1 | awk -v s="$SECONDS_PER_RUN" '{print $3 * s}')
        secs=$SECONDS_PER_RUN
    else
        out=$(timeout -k 5 600 qemu-img bench -f raw -c "$count" -d "$depth" -s "$size" $write "$url" 2>&1)
        end=$(date +%s.%N)
        ops=$count
        secs=$(grep -o 'Run completed in [0-9.]*' <<<"$out" | awk '{print $4}')
    fi
    after=$(cpu_ticks "$pid")
    if [[ -z $ops || -z $secs ]]; then
        echo "$out" >&2
        fail "$name on $target gave no result" "$target"
    fi
    echo "$ops $secs $(awk -v t=$((after - before)) -v hz="$TICKS" 'BEGIN {print t / hz}') $size" > "$work/$target.$name"
    printf '  %-28s done in %.1f s\n' "$name" "$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')" >&2
}

ROWS=(perf-4k-randread-qd1 perf-4k-randread-qd32 perf-4k-randread-qd128
      qemu-4k-read-qd1 qemu-4k-read-qd32 qemu-4k-write-qd1 qemu-4k-write-qd32 qemu-128k-seqread-qd8)
run_all() {  # TARGET PID URL
    local t=$1 pid=$2 url=$3
    echo "bench: $t: filling the LUN (1 GiB of 0xa5, not measured)" >&2
    timeout -k 5 300 qemu-img bench -f raw -c 1024 -d 8 -s 1M -w --pattern=165 "$url" >/dev/null \
        || fail "filling the $t LUN failed" "$t"
    measure perf-4k-randread-qd1 "$t" "$pid" "$url" perf 1 4096 0
    measure perf-4k-randread-qd32 "$t" "$pid" "$url" perf 32 4096 0
    measure perf-4k-randread-qd128 "$t" "$pid" "$url" perf 128 4096 0
    measure qemu-4k-read-qd1 "$t" "$pid" "$url" qemu 1 4096 "$QD1_COUNT"
    measure qemu-4k-read-qd32 "$t" "$pid" "$url" qemu 32 4096 "$QD32_COUNT"
    measure qemu-4k-write-qd1 "$t" "$pid" "$url" qemu 1 4096 "$QD1_COUNT" -w
    measure qemu-4k-write-qd32 "$t" "$pid" "$url" qemu 32 4096 "$QD32_COUNT" -w
    measure qemu-128k-seqread-qd8 "$t" "$pid" "$url" qemu 8 131072 "$SEQ_COUNT"
}

bash "$root/scripts/install-test-deps.sh"
"$root/ferry" --version >/dev/null  # builds the distribution first if needed, outside any measurement

echo "bench: Ferry on 127.0.0.1:$FERRY_PORT" >&2
"$root/ferry" demo --iscsi-port "$FERRY_PORT" --size 1G >"$work/ferry.log" 2>&1 &
ferry_pid=$!
wait_for_portal "$FERRY_PORT" "$ferry_pid" ferry
run_all ferry "$ferry_pid" "iscsi://127.0.0.1:$FERRY_PORT/iqn.2026-11.dev.ferry:demo/0"
cleanup

echo "bench: tgt on 127.0.0.1:$TGT_PORT (control port $TGT_CONTROL_PORT, backing file $TGT_FILE)" >&2
truncate -s 1G "$TGT_FILE"
tgtd -f -C "$TGT_CONTROL_PORT" --iscsi "portal=127.0.0.1:$TGT_PORT" >"$work/tgt.log" 2>&1 &
tgt_pid=$!
sleep 0.5
tgtadm -C "$TGT_CONTROL_PORT" --lld iscsi --op new --mode target --tid 1 -T "$TGT_IQN"
tgtadm -C "$TGT_CONTROL_PORT" --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$TGT_FILE"
tgtadm -C "$TGT_CONTROL_PORT" --lld iscsi --op bind --mode target --tid 1 -I ALL
wait_for_portal "$TGT_PORT" "$tgt_pid" tgt
run_all tgt "$tgt_pid" "iscsi://127.0.0.1:$TGT_PORT/$TGT_IQN/1"
cleanup

echo
echo "Ferry vs tgt, same 1 GiB RAM LUN over 127.0.0.1 ($(nproc) cores; CPU = target process utime+stime)"
printf '%-24s | %10s %8s %7s %10s | %10s %8s %7s %10s | %8s %12s\n' test \
    "Ferry IOPS" MiB/s CPU-s IOPS/CPU-s "tgt IOPS" MiB/s CPU-s IOPS/CPU-s "F/t IOPS" "F/t IOPS/CPU"
for row in "${ROWS[@]}"; do
    read -r f_ops f_secs f_cpu size < "$work/ferry.$row"
    read -r t_ops t_secs t_cpu _ < "$work/tgt.$row"
    awk -v row="$row" -v fo="$f_ops" -v fs="$f_secs" -v fc="$f_cpu" -v to="$t_ops" -v ts="$t_secs" -v tc="$t_cpu" \
        -v size="$size" 'BEGIN {
        fi = fo / fs; ti = to / ts
        fe = fc > 0 ? fo / fc : 0; te = tc > 0 ? to / tc : 0
        printf "%-24s | %10.0f %8.1f %7.2f %10.0f | %10.0f %8.1f %7.2f %10.0f | %8.2f %12.2f\n", row,
            fi, fi * size / 1048576, fc, fe, ti, ti * size / 1048576, tc, te,
            (ti > 0 ? fi / ti : 0), (te > 0 ? fe / te : 0) }'
done
