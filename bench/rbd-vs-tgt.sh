#!/usr/bin/env bash
# One RBD image on a throw-away single-node Ceph (scripts/ceph-single-node.sh: memstore OSD, cephx on), measured
# three ways over 127.0.0.1: `rbd bench` (librbd itself, the ceiling), Ferry's rbd backstore over iSCSI and tgt's
# rbd backing store (Debian's tgt-rbd) over iSCSI, with the same iSCSI clients for both targets. It prints IOPS,
# MiB/s and the ratios Ferry/rbd-bench and Ferry/tgt-rbd.
#   randread: 4 KiB random reads (rbd bench --io-pattern rand; iscsi-perf -r for the targets)
#   read, write: 4 KiB sequential reads and writes (rbd bench --io-pattern seq; qemu-img bench for the targets)
# Random writes have no iSCSI client here (iscsi-perf only reads, qemu-img bench steps sequentially).
# All three run without librbd's cache (rbd_cache = false), as Ferry's rbd backstore always does (a write is on the
# OSDs when it completes): with it, rbd bench acknowledges writes from memory and tgt-rbd reads ahead.
# Needs root, the Ceph packages (scripts/install-test-deps.sh), tgt and tgt-rbd, libiscsi-bin, qemu-utils and the
# distribution in packaging/cli/target (mvn package). Everything runs on the same cores, Ceph included.
# A benchmark, not a test. Settings (environment):
#   FERRY_PORT (13274)  TGT_PORT (13275)  TGT_CONTROL_PORT (29)  SECONDS_PER_RUN (10, iscsi-perf)
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

for tool in tgtd tgtadm iscsi-perf iscsi-ls qemu-img java rbd; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
[[ $(id -u) == 0 ]] || { echo "bench: needs root (the Ceph daemons)" >&2; exit 1; }
[[ -f $CLI/ferry-cli.jar ]] || { echo "bench: no $CLI/ferry-cli.jar: build it (mvn -o package)" >&2; exit 1; }
[[ -e /usr/lib/tgt/backing-store/bs_rbd.so ]] || { echo "bench: tgt's rbd backing store is missing: apt-get install tgt-rbd" >&2; exit 1; }

ferry_pid="" tgt_pid=""
cleanup() {
    stop_servers
    "$root/scripts/ceph-single-node.sh" stop "$work/ceph" || true
    rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # fail, wait_for_portal, stop_servers

# One run against a target: NAME TARGET URL perf|qemu DEPTH COUNT [-w]; writes "IOPS" to $work/TARGET.NAME
measure() {
    local name=$1 target=$2 url=$3 kind=$4 depth=$5 count=$6 write=${7:-} out iops
    if [[ $kind == perf ]]; then
        out=$(timeout -k 5 $((SECONDS_PER_RUN + 30)) iscsi-perf -m "$depth" -b 8 -t "$SECONDS_PER_RUN" -r "$url" 2>&1)
        iops=$(grep -o 'iops average [0-9]*' <<<"$out" | tail -1 | awk '{print $3}')
    else
        out=$(timeout -k 5 600 qemu-img bench -f raw -c "$count" -d "$depth" -s 4096 $write "$url" 2>&1)
        iops=$(grep -o 'Run completed in [0-9.]*' <<<"$out" | awk -v c="$count" '{print c / $4}')
    fi
    [[ -n $iops ]] || { echo "$out" >&2; fail "$name on $target gave no result" "$target"; }
    echo "$iops" > "$work/$target.$name"
    printf '  %-12s %8.0f IOPS\n' "$name" "$iops" >&2
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

ROWS=(randread-qd1 randread-qd32 read-qd1 read-qd32 write-qd1 write-qd32)
run_target() {  # TARGET URL
    local t=$1 url=$2
    measure randread-qd1 "$t" "$url" perf 1 0
    measure randread-qd32 "$t" "$url" perf 32 0
    measure read-qd1 "$t" "$url" qemu 1 "$QD1_COUNT"
    measure read-qd32 "$t" "$url" qemu 32 "$QD32_COUNT"
    measure write-qd1 "$t" "$url" qemu 1 "$QD1_COUNT" -w
    measure write-qd32 "$t" "$url" qemu 32 "$QD32_COUNT" -w
}

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
ferry_pid=$!
wait_for_portal "$FERRY_PORT" "$ferry_pid" ferry
run_target ferry "iscsi://127.0.0.1:$FERRY_PORT/$FERRY_IQN/0"
stop_servers

echo "bench: tgt (rbd backing store) on 127.0.0.1:$TGT_PORT (control port $TGT_CONTROL_PORT)" >&2
tgtd -f -C "$TGT_CONTROL_PORT" --iscsi "portal=127.0.0.1:$TGT_PORT" >"$work/tgt.log" 2>&1 &
tgt_pid=$!
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
