#!/usr/bin/env bash
# Serves one loop device (a 1 GiB file in /dev/shm) from Ferry's `block` backend and from tgt's `rdwr` backing
# store, one after the other, drives each with the clients of bench/iscsi-vs-tgt.sh over 127.0.0.1 and prints IOPS,
# MiB/s, the target process's CPU seconds (utime+stime) and IOPS per CPU-second, with Ferry/tgt ratios.
# Ferry's data buffers come from the core's 4 KiB-aligned pool (IoBuffers), so O_DIRECT reads and writes go
# straight from and to them.
# Needs root (losetup), the distribution in packaging/cli/target (mvn package), tgtd, libiscsi-bin, qemu-utils.
# A benchmark, not a test. Settings (environment):
#   FERRY_PORT (13272)  TGT_PORT (13273)  TGT_CONTROL_PORT (28)  SECONDS_PER_RUN (10, iscsi-perf)
#   QD1_COUNT (20000)  QD32_COUNT (100000)  SEQ_COUNT (8192, 128 KiB each)   (qemu-img bench request counts)
#   TGT_BSOFLAGS (unset): e.g. "direct" to open the device O_DIRECT in tgt too; by default tgt's rdwr reads and
#   writes through the loop device's page cache, while Ferry always bypasses it
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FERRY_PORT=${FERRY_PORT:-13272}
TGT_PORT=${TGT_PORT:-13273}
TGT_CONTROL_PORT=${TGT_CONTROL_PORT:-28}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
QD1_COUNT=${QD1_COUNT:-20000}
QD32_COUNT=${QD32_COUNT:-100000}
SEQ_COUNT=${SEQ_COUNT:-8192}
TGT_BSOFLAGS=${TGT_BSOFLAGS:-}
FERRY_IQN=iqn.2026-11.dev.ferry:bench-block
TGT_IQN=iqn.2026-11.dev.ferry:bench-tgt
BACKING=/dev/shm/ferry-bench-block.img
CLI="$root/packaging/cli/target"
TICKS=$(getconf CLK_TCK)
work=$(mktemp -d)

for tool in losetup tgtd tgtadm iscsi-perf iscsi-ls qemu-img java; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
[[ $(id -u) == 0 ]] || { echo "bench: needs root (losetup)" >&2; exit 1; }
[[ -f $CLI/ferry-cli.jar ]] || { echo "bench: no $CLI/ferry-cli.jar: build it (mvn -o package)" >&2; exit 1; }

loop="" ferry_pid="" tgt_pid=""
cleanup() {
    stop_servers
    [[ -n $loop ]] && losetup -d "$loop" 2>/dev/null || true
    rm -f "$BACKING"
    rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # fail, cpu_ticks, wait_for_portal, stop_servers

# One measured run: NAME TARGET PID URL perf|qemu DEPTH BYTES COUNT [-w]; writes "ops seconds cpu_seconds bytes"
# to $work/TARGET.NAME
measure() {
    local name=$1 target=$2 pid=$3 url=$4 kind=$5 depth=$6 size=$7 count=$8 write=${9:-}
    local before after ops secs out
    before=$(cpu_ticks "$pid")
    if [[ $kind == perf ]]; then
        out=$(timeout -k 5 $((SECONDS_PER_RUN + 30)) iscsi-perf -m "$depth" -b $((size / 512)) -t "$SECONDS_PER_RUN" -r "$url" 2>&1)
        ops=$(grep -o 'iops average [0-9]*' <<<"$out" | tail -1 | awk -v s="$SECONDS_PER_RUN" '{print $3 * s}')
        secs=$SECONDS_PER_RUN
    else
        out=$(timeout -k 5 600 qemu-img bench -f raw -c "$count" -d "$depth" -s "$size" $write "$url" 2>&1)
        ops=$count
        secs=$(grep -o 'Run completed in [0-9.]*' <<<"$out" | awk '{print $4}')
    fi
    after=$(cpu_ticks "$pid")
    if [[ -z $ops || -z $secs ]]; then
        echo "$out" >&2
        fail "$name on $target gave no result" "$target"
    fi
    echo "$ops $secs $(awk -v t=$((after - before)) -v hz="$TICKS" 'BEGIN {print t / hz}') $size" > "$work/$target.$name"
    printf '  %-24s %s\n' "$name" "$(awk -v o="$ops" -v s="$secs" 'BEGIN {printf "%.0f IOPS", o / s}')" >&2
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

run_ferry() {  # TARGET [JVM OPTION...]: Ferry's block backend on $loop
    local t=$1; shift
    echo "bench: $t on 127.0.0.1:$FERRY_PORT ($loop, JVM options: ${*:-none})" >&2
    # exec'd directly so that $! is the JVM whose CPU time is measured
    java -cp "$CLI/lib/*:$CLI/ferry-cli.jar" "$@" dev.ferry.cli.FerryCli serve --config "$work/ferry.json" --control-socket "$work/ferry.sock" \
        >"$work/$t.log" 2>&1 &
    ferry_pid=$!
    wait_for_portal "$FERRY_PORT" "$ferry_pid" "$t"
    run_all "$t" "$ferry_pid" "iscsi://127.0.0.1:$FERRY_PORT/$FERRY_IQN/0"
    stop_servers
}

truncate -s 1G "$BACKING"
loop=$(losetup -f --show "$BACKING")
cat > "$work/ferry.json" <<EOF
{
  "backstores": [ { "name": "bench-loop", "type": "block", "path": "$loop" } ],
  "targets": [ { "name": "$FERRY_IQN", "portals": ["127.0.0.1:$FERRY_PORT"],
                 "luns": [ { "id": 0, "backstore": "bench-loop" } ], "allowAnyInitiator": true } ]
}
EOF

run_ferry ferry

echo "bench: tgt (rdwr${TGT_BSOFLAGS:+, bsoflags $TGT_BSOFLAGS}) on 127.0.0.1:$TGT_PORT (control port $TGT_CONTROL_PORT, $loop)" >&2
tgtd -f -C "$TGT_CONTROL_PORT" --iscsi "portal=127.0.0.1:$TGT_PORT" >"$work/tgt.log" 2>&1 &
tgt_pid=$!
sleep 0.5
tgtadm -C "$TGT_CONTROL_PORT" --lld iscsi --op new --mode target --tid 1 -T "$TGT_IQN"
tgtadm -C "$TGT_CONTROL_PORT" --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 --bstype rdwr -b "$loop" \
    ${TGT_BSOFLAGS:+--bsoflags "$TGT_BSOFLAGS"}
tgtadm -C "$TGT_CONTROL_PORT" --lld iscsi --op bind --mode target --tid 1 -I ALL
wait_for_portal "$TGT_PORT" "$tgt_pid" tgt
run_all tgt "$tgt_pid" "iscsi://127.0.0.1:$TGT_PORT/$TGT_IQN/1"
stop_servers

echo
echo "Ferry block backend vs tgt rdwr${TGT_BSOFLAGS:+ (bsoflags $TGT_BSOFLAGS)}, same loop device over a 1 GiB /dev/shm file, 127.0.0.1 ($(nproc) cores;"
echo "CPU = target process utime+stime)"
printf '%-22s | %10s %7s %6s %9s | %9s %7s %6s %9s | %6s %8s\n' test \
    "Ferry IOPS" MiB/s CPU-s IOPS/CPU "tgt IOPS" MiB/s CPU-s IOPS/CPU "F/t" "F/t eff"
for row in "${ROWS[@]}"; do
    read -r f_ops f_secs f_cpu size < "$work/ferry.$row"
    read -r t_ops t_secs t_cpu _ < "$work/tgt.$row"
    awk -v row="$row" -v fo="$f_ops" -v fs="$f_secs" -v fc="$f_cpu" -v to="$t_ops" -v ts="$t_secs" -v tc="$t_cpu" \
        -v size="$size" 'BEGIN {
        fi = fo / fs; ti = to / ts
        fe = fc > 0 ? fo / fc : 0; te = tc > 0 ? to / tc : 0
        printf "%-22s | %10.0f %7.1f %6.2f %9.0f | %9.0f %7.1f %6.2f %9.0f | %6.2f %8.2f\n", row,
            fi, fi * size / 1048576, fc, fe, ti, ti * size / 1048576, tc, te,
            (ti > 0 ? fi / ti : 0), (te > 0 ? fe / te : 0) }'
done
