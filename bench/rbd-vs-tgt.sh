#!/usr/bin/env bash
# One RBD image on a throw-away single-node Ceph (scripts/ceph-single-node.sh: memstore OSD, cephx on), measured
# three ways over 127.0.0.1: `rbd bench` (librbd itself, the ceiling), Ferry's rbd backstore over iSCSI and tgt's
# rbd backing store (Debian's tgt-rbd) over iSCSI, with the same iSCSI clients for both targets. It prints IOPS,
# the ratios Ferry/rbd-bench and Ferry/tgt-rbd, and the CPU time each target process used per run.
#   randread: 4 KiB random reads (rbd bench --io-pattern rand; iscsi-perf -r for the targets, one session at QD N)
#   randwrite: 4 KiB random writes over the whole image (rbd bench --io-type write --io-pattern rand; for the
#     targets bench/initiator, one session at QD1, and 32 sessions at QD1 each for QD32: iscsi-perf only reads)
#   read, write: 4 KiB sequential reads and writes (rbd bench --io-pattern seq; qemu-img bench for the targets)
# All three run without librbd's cache (rbd_cache = false), as Ferry's rbd backstore always does (a write is on the
# OSDs when it completes): with it, rbd bench acknowledges writes from memory and tgt-rbd reads ahead.
# Needs root, the Ceph packages (scripts/install-test-deps.sh), tgt and tgt-rbd, libiscsi-bin, qemu-utils and the
# distribution in packaging/cli/target (mvn package); bench/initiator is built here (mvn package). Everything runs
# on the same cores, Ceph included.
# A benchmark, not a test. Settings (environment):
#   FERRY_PORT (13274)  TGT_PORT (13275)  TGT_CONTROL_PORT (29)  SECONDS_PER_RUN (10, iscsi-perf, bench/initiator)
#   QD1_COUNT (5000)  QD32_COUNT (50000)   (requests per qemu-img bench and rbd bench run)  IMAGE_MIB (512)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FERRY_PORT=${FERRY_PORT:-13274}
TGT_PORT=${TGT_PORT:-13275}
TGT_CONTROL_PORT=${TGT_CONTROL_PORT:-29}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
QD1_COUNT=${QD1_COUNT:-5000}
QD32_COUNT=${QD32_COUNT:-50000}
IMAGE_MIB=${IMAGE_MIB:-512}
FERRY_IQN=iqn.2026-11.dev.ferry:bench-rbd
TGT_IQN=iqn.2026-11.dev.ferry:bench-tgt-rbd
IMAGE=rbd/bench
CLI="$root/packaging/cli/target"
work=$(mktemp -d)

for tool in tgtd tgtadm iscsi-perf iscsi-ls qemu-img java rbd mvn; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
[[ $(id -u) == 0 ]] || { echo "bench: needs root (the Ceph daemons)" >&2; exit 1; }
[[ -f $CLI/ferry-cli.jar ]] || { echo "bench: no $CLI/ferry-cli.jar: build it (mvn -o package)" >&2; exit 1; }
[[ -e /usr/lib/tgt/backing-store/bs_rbd.so ]] || { echo "bench: tgt's rbd backing store is missing: apt-get install tgt-rbd" >&2; exit 1; }

ferry_pid="" tgt_pid="" target_pid=""
cleanup() {
    stop_servers
    "$root/scripts/ceph-single-node.sh" stop "$work/ceph" || true
    rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # fail, wait_for_portal, stop_servers

# One run against a target: NAME TARGET URL perf|qemu|randwrite DEPTH COUNT [-w]; writes "IOPS" to
# $work/TARGET.NAME, and the CPU seconds of $target_pid during the run, then the run's wall seconds, to
# $work/TARGET.NAME.cpu
measure() {
    local name=$1 target=$2 url=$3 kind=$4 depth=$5 count=$6 write=${7:-} out iops ticks0 ticks1 t0 t1
    ticks0=$(cpu_ticks "$target_pid") t0=$(date +%s.%N)
    if [[ $kind == randwrite ]]; then
        out=$(timeout -k 5 $((SECONDS_PER_RUN + 60)) java -jar "$INITIATOR_JAR" latency "$url" write \
            --seconds "$SECONDS_PER_RUN" --warm-up 2 --region-mib "$IMAGE_MIB" --sessions "$depth" 2>&1)
        iops=$(grep -o 'iops=[0-9]*' <<<"$out" | tail -1 | cut -d= -f2)
    elif [[ $kind == perf ]]; then
        out=$(timeout -k 5 $((SECONDS_PER_RUN + 30)) iscsi-perf -m "$depth" -b 8 -t "$SECONDS_PER_RUN" -r "$url" 2>&1)
        iops=$(grep -o 'iops average [0-9]*' <<<"$out" | tail -1 | awk '{print $3}')
    else
        out=$(timeout -k 5 600 qemu-img bench -f raw -c "$count" -d "$depth" -s 4096 $write "$url" 2>&1)
        iops=$(grep -o 'Run completed in [0-9.]*' <<<"$out" | awk -v c="$count" '{print c / $4}')
    fi
    [[ -n $iops ]] || { echo "$out" >&2; fail "$name on $target gave no result" "$target"; }
    ticks1=$(cpu_ticks "$target_pid") t1=$(date +%s.%N)
    echo "$iops" > "$work/$target.$name"
    awk -v d=$((ticks1 - ticks0)) -v hz="$(getconf CLK_TCK)" -v t0="$t0" -v t1="$t1" \
        'BEGIN { printf "%.2f %.2f\n", d / hz, t1 - t0 }' > "$work/$target.$name.cpu"
    printf '  %-14s %8.0f IOPS  %s CPU s / wall s\n' "$name" "$iops" "$(cat "$work/$target.$name.cpu")" >&2
}

# One `rbd bench` run: NAME read|write rand|seq DEPTH COUNT
rbd_bench() {
    local name=$1 type=$2 pattern=$3 depth=$4 count=$5 out iops
    out=$(timeout -k 5 600 rbd -c "$CONF" bench --io-type "$type" --io-pattern "$pattern" --io-size 4096 \
        --io-threads "$depth" --io-total $((count * 4096)) "$IMAGE" 2>&1)
    iops=$(grep -o 'ops/sec: [0-9.]*' <<<"$out" | tail -1 | awk '{print $2}')
    [[ -n $iops ]] || { echo "$out" >&2; echo "bench: rbd bench $name gave no result" >&2; exit 1; }
    echo "$iops" > "$work/rbd.$name"
    printf '  %-12s %8.0f IOPS\n' "$name" "$iops" >&2
}

ROWS=(randread-qd1 randread-qd32 randwrite-qd1 randwrite-qd32 read-qd1 read-qd32 write-qd1 write-qd32)
run_target() {  # TARGET URL
    local t=$1 url=$2
    measure randread-qd1 "$t" "$url" perf 1 0
    measure randread-qd32 "$t" "$url" perf 32 0
    measure randwrite-qd1 "$t" "$url" randwrite 1 0
    measure randwrite-qd32 "$t" "$url" randwrite 32 0
    measure read-qd1 "$t" "$url" qemu 1 "$QD1_COUNT"
    measure read-qd32 "$t" "$url" qemu 32 "$QD32_COUNT"
    measure write-qd1 "$t" "$url" qemu 1 "$QD1_COUNT" -w
    measure write-qd32 "$t" "$url" qemu 32 "$QD32_COUNT" -w
}

echo "bench: building bench/initiator" >&2
mvn -q -B -f "$root/bench/initiator/pom.xml" package -DskipTests >&2
INITIATOR_JAR=$root/bench/initiator/target/bench-initiator.jar

echo "bench: starting a single-node Ceph in $work/ceph" >&2
eval "$("$root/scripts/ceph-single-node.sh" start "$work/ceph")"
# The cluster's conf with librbd's cache off, for rbd bench and tgt-rbd (whose bsopts take no Ceph options).
CONF=$work/ceph-nocache.conf
{ cat "$CEPH_CONF"; printf '\n[client]\nrbd_cache = false\n'; } > "$CONF"
rbd -c "$CONF" create "$IMAGE" --size "${IMAGE_MIB}M"
echo "bench: filling $IMAGE (${IMAGE_MIB} MiB, not measured)" >&2
rbd -c "$CONF" bench --io-type write --io-pattern seq --io-size 4M --io-threads 8 --io-total "${IMAGE_MIB}M" \
    "$IMAGE" >/dev/null

echo "bench: rbd bench on $IMAGE" >&2
rbd_bench randread-qd1 read rand 1 "$QD1_COUNT"
rbd_bench randread-qd32 read rand 32 "$QD32_COUNT"
rbd_bench randwrite-qd1 write rand 1 "$QD1_COUNT"
rbd_bench randwrite-qd32 write rand 32 "$QD32_COUNT"
rbd_bench read-qd1 read seq 1 "$QD1_COUNT"
rbd_bench read-qd32 read seq 32 "$QD32_COUNT"
rbd_bench write-qd1 write seq 1 "$QD1_COUNT"
rbd_bench write-qd32 write seq 32 "$QD32_COUNT"

cat > "$work/ferry.json" <<EOF
{
  "backstores": [ { "name": "bench-rbd", "type": "rbd", "path": "$IMAGE:conf=$CONF" } ],
  "targets": [ { "name": "$FERRY_IQN", "portals": ["127.0.0.1:$FERRY_PORT"],
                 "luns": [ { "id": 0, "backstore": "bench-rbd" } ], "allowAnyInitiator": true } ]
}
EOF
echo "bench: ferry on 127.0.0.1:$FERRY_PORT" >&2
java -cp "$CLI/lib/*:$CLI/ferry-cli.jar" dev.ferry.cli.FerryCli serve --config "$work/ferry.json" \
    --control-socket "$work/ferry.sock" >"$work/ferry.log" 2>&1 &
ferry_pid=$! target_pid=$!
wait_for_portal "$FERRY_PORT" "$ferry_pid" ferry
run_target ferry "iscsi://127.0.0.1:$FERRY_PORT/$FERRY_IQN/0"
stop_servers

echo "bench: tgt (rbd backing store) on 127.0.0.1:$TGT_PORT (control port $TGT_CONTROL_PORT)" >&2
tgtd -f -C "$TGT_CONTROL_PORT" --iscsi "portal=127.0.0.1:$TGT_PORT" >"$work/tgt.log" 2>&1 &
tgt_pid=$! target_pid=$!
sleep 0.5
tgtadm -C "$TGT_CONTROL_PORT" --lld iscsi --op new --mode target --tid 1 -T "$TGT_IQN"
tgtadm -C "$TGT_CONTROL_PORT" --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 --bstype rbd \
    --backing-store "$IMAGE" --bsopts "conf=$CONF"
tgtadm -C "$TGT_CONTROL_PORT" --lld iscsi --op bind --mode target --tid 1 -I ALL
wait_for_portal "$TGT_PORT" "$tgt_pid" tgt
run_target tgt "iscsi://127.0.0.1:$TGT_PORT/$TGT_IQN/1"
stop_servers

echo
echo "4 KiB I/O to one RBD image (single-node Ceph, memstore OSD, cephx), 127.0.0.1, $(nproc) cores shared by all"
printf '%-14s | %10s | %10s | %10s | %8s | %8s\n' test "rbd bench" "Ferry" "tgt-rbd" "F/rbd" "F/tgt"
for row in "${ROWS[@]}"; do
    awk -v row="$row" -v r="$(cat "$work/rbd.$row")" -v f="$(cat "$work/ferry.$row")" -v t="$(cat "$work/tgt.$row")" \
        'BEGIN { printf "%-14s | %10.0f | %10.0f | %10.0f | %8.2f | %8.2f\n", row, r, f, t,
                 (r > 0 ? f / r : 0), (t > 0 ? f / t : 0) }'
done
echo
echo "CPU time of the target process per run (utime + stime, all threads; cores busy = CPU s / wall s;"
echo "CPU us per I/O ~ CPU s / (IOPS x wall s), warm-up and login included)"
printf '%-14s | %12s | %12s | %14s | %14s\n' test "Ferry CPU s" "tgt CPU s" "Ferry us/IO" "tgt us/IO"
for row in "${ROWS[@]}"; do
    read -r fc fw < "$work/ferry.$row.cpu"
    read -r tc tw < "$work/tgt.$row.cpu"
    awk -v row="$row" -v fc="$fc" -v fw="$fw" -v tc="$tc" -v tw="$tw" -v f="$(cat "$work/ferry.$row")" \
        -v t="$(cat "$work/tgt.$row")" 'BEGIN { printf "%-14s | %5.1f/%5.1fs | %5.1f/%5.1fs | %14.0f | %14.0f\n",
            row, fc, fw, tc, tw, (f * fw > 0 ? fc / (f * fw) * 1e6 : 0), (t * tw > 0 ? tc / (t * tw) * 1e6 : 0) }'
done
