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
# The measurements are interleaved: every row runs on every target in turn (rbd bench, Ferry, [the older Ferry],
# tgt-rbd), for one warm-up round that is not counted (the JVM's JIT, Ceph's caches) and then ROUNDS rounds; the
# tables give the median of the rounds, so that neither warm-up nor a burst of load on a shared machine decides a
# ratio. All targets serve the one image at once, each on its own port.
# A benchmark, not a test. Settings (environment):
#   FERRY_PORT (13274)  TGT_PORT (13275)  TGT_CONTROL_PORT (29)  SECONDS_PER_RUN (10, iscsi-perf, bench/initiator)
#   QD1_COUNT (5000)  QD32_COUNT (50000)   (requests per qemu-img bench and rbd bench run)  IMAGE_MIB (512)
#   ROUNDS (3)  ROWS (all: randread-qd1 randread-qd32 randwrite-qd1 randwrite-qd32 read-qd1 read-qd32 write-qd1
#   write-qd32)  FERRY_CLI (packaging/cli/target: a distribution, ferry-cli.jar and lib/)
#   FERRY_OLD_CLI (none): another Ferry distribution (an older build) measured side by side on FERRY_OLD_PORT (13276)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FERRY_PORT=${FERRY_PORT:-13274}
TGT_PORT=${TGT_PORT:-13275}
TGT_CONTROL_PORT=${TGT_CONTROL_PORT:-29}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
QD1_COUNT=${QD1_COUNT:-5000}
QD32_COUNT=${QD32_COUNT:-50000}
IMAGE_MIB=${IMAGE_MIB:-512}
ROUNDS=${ROUNDS:-3}
read -r -a ROWS <<<"${ROWS:-randread-qd1 randread-qd32 randwrite-qd1 randwrite-qd32 read-qd1 read-qd32 write-qd1 write-qd32}"
FERRY_OLD_CLI=${FERRY_OLD_CLI:-}
FERRY_OLD_PORT=${FERRY_OLD_PORT:-13276}
FERRY_IQN=iqn.2026-11.dev.ferry:bench-rbd
TGT_IQN=iqn.2026-11.dev.ferry:bench-tgt-rbd
IMAGE=rbd/bench
CLI=${FERRY_CLI:-$root/packaging/cli/target}
work=$(mktemp -d)

for tool in tgtd tgtadm iscsi-perf iscsi-ls qemu-img java rbd mvn; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
[[ $(id -u) == 0 ]] || { echo "bench: needs root (the Ceph daemons)" >&2; exit 1; }
[[ -f $CLI/ferry-cli.jar ]] || { echo "bench: no $CLI/ferry-cli.jar: build it (mvn -o package)" >&2; exit 1; }
[[ -z $FERRY_OLD_CLI || -f $FERRY_OLD_CLI/ferry-cli.jar ]] || { echo "bench: no $FERRY_OLD_CLI/ferry-cli.jar" >&2; exit 1; }
[[ -e /usr/lib/tgt/backing-store/bs_rbd.so ]] || { echo "bench: tgt's rbd backing store is missing: apt-get install tgt-rbd" >&2; exit 1; }

ferry_pid="" tgt_pid="" old_pid=""
declare -A pid_of url_of
cleanup() {
    stop_servers
    if [[ -n $old_pid ]] && kill -0 "$old_pid" 2>/dev/null; then
        kill "$old_pid"; wait "$old_pid" 2>/dev/null || true
    fi
    "$root/scripts/ceph-single-node.sh" stop "$work/ceph" || true
    rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"  # fail, wait_for_portal, stop_servers

# One run against a target: NAME TARGET ROUND perf|qemu|randwrite DEPTH COUNT [-w]; writes "IOPS" to
# $work/TARGET.NAME.ROUND, and the CPU seconds of the target's process during the run, then the run's wall
# seconds, to $work/TARGET.NAME.ROUND.cpu
measure() {
    local name=$1 target=$2 round=$3 kind=$4 depth=$5 count=$6 write=${7:-} out iops ticks0 ticks1 t0 t1
    local url=${url_of[$target]} target_pid=${pid_of[$target]}
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
    echo "$iops" > "$work/$target.$name.$round"
    awk -v d=$((ticks1 - ticks0)) -v hz="$(getconf CLK_TCK)" -v t0="$t0" -v t1="$t1" \
        'BEGIN { printf "%.2f %.2f\n", d / hz, t1 - t0 }' > "$work/$target.$name.$round.cpu"
    printf '  %-9s %-14s %8.0f IOPS  %s CPU s / wall s\n' "$target" "$name" "$iops" \
        "$(cat "$work/$target.$name.$round.cpu")" >&2
}

# One `rbd bench` run: NAME ROUND read|write rand|seq DEPTH COUNT
rbd_bench() {
    local name=$1 round=$2 type=$3 pattern=$4 depth=$5 count=$6 out iops
    out=$(timeout -k 5 600 rbd -c "$CONF" bench --io-type "$type" --io-pattern "$pattern" --io-size 4096 \
        --io-threads "$depth" --io-total $((count * 4096)) "$IMAGE" 2>&1)
    iops=$(grep -o 'ops/sec: [0-9.]*' <<<"$out" | tail -1 | awk '{print $2}')
    [[ -n $iops ]] || { echo "$out" >&2; echo "bench: rbd bench $name gave no result" >&2; exit 1; }
    echo "$iops" > "$work/rbd.$name.$round"
    printf '  %-9s %-14s %8.0f IOPS\n' rbd "$name" "$iops" >&2
}

# One row on one target (rbd: rbd bench): ROW TARGET ROUND
run_row() {
    local row=$1 t=$2 round=$3
    if [[ $t == rbd ]]; then
        case $row in
            randread-qd1) rbd_bench "$row" "$round" read rand 1 "$QD1_COUNT" ;;
            randread-qd32) rbd_bench "$row" "$round" read rand 32 "$QD32_COUNT" ;;
            randwrite-qd1) rbd_bench "$row" "$round" write rand 1 "$QD1_COUNT" ;;
            randwrite-qd32) rbd_bench "$row" "$round" write rand 32 "$QD32_COUNT" ;;
            read-qd1) rbd_bench "$row" "$round" read seq 1 "$QD1_COUNT" ;;
            read-qd32) rbd_bench "$row" "$round" read seq 32 "$QD32_COUNT" ;;
            write-qd1) rbd_bench "$row" "$round" write seq 1 "$QD1_COUNT" ;;
            write-qd32) rbd_bench "$row" "$round" write seq 32 "$QD32_COUNT" ;;
            *) echo "bench: unknown row $row" >&2; exit 1 ;;
        esac
        return
    fi
    case $row in
        randread-qd1) measure "$row" "$t" "$round" perf 1 0 ;;
        randread-qd32) measure "$row" "$t" "$round" perf 32 0 ;;
        randwrite-qd1) measure "$row" "$t" "$round" randwrite 1 0 ;;
        randwrite-qd32) measure "$row" "$t" "$round" randwrite 32 0 ;;
        read-qd1) measure "$row" "$t" "$round" qemu 1 "$QD1_COUNT" ;;
        read-qd32) measure "$row" "$t" "$round" qemu 32 "$QD32_COUNT" ;;
        write-qd1) measure "$row" "$t" "$round" qemu 1 "$QD1_COUNT" -w ;;
        write-qd32) measure "$row" "$t" "$round" qemu 32 "$QD32_COUNT" -w ;;
        *) echo "bench: unknown row $row" >&2; exit 1 ;;
    esac
}

# The median over rounds 1..ROUNDS of what awk program PROG prints for each round's files: FILE-PREFIX PROG
median() {
    local prefix=$1 prog=$2 r files
    for r in $(seq "$ROUNDS"); do
        files=("$prefix.$r")
        [[ -f $prefix.$r.cpu ]] && files+=("$prefix.$r.cpu")  # none for rbd bench
        awk "$prog" "${files[@]}"
    done | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
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

cat > "$work/ferry.json" <<EOF
{
  "backstores": [ { "name": "bench-rbd", "type": "rbd", "path": "$IMAGE:conf=$CONF" } ],
  "targets": [ { "name": "$FERRY_IQN", "portals": ["127.0.0.1:$FERRY_PORT"],
                 "luns": [ { "id": 0, "backstore": "bench-rbd" } ], "allowAnyInitiator": true } ]
}
EOF
start_ferry() {  # NAME DISTRIBUTION PORT: sets started_pid
    sed "s/127.0.0.1:$FERRY_PORT/127.0.0.1:$3/" "$work/ferry.json" > "$work/$1-serve.json"
    java -cp "$2/lib/*:$2/ferry-cli.jar" dev.ferry.cli.FerryCli serve --config "$work/$1-serve.json" \
        --control-socket "$work/$1.sock" >"$work/$1.log" 2>&1 &
    started_pid=$!
}
echo "bench: ferry ($CLI) on 127.0.0.1:$FERRY_PORT" >&2
start_ferry ferry "$CLI" "$FERRY_PORT"
ferry_pid=$started_pid
wait_for_portal "$FERRY_PORT" "$ferry_pid" ferry
pid_of[ferry]=$ferry_pid url_of[ferry]="iscsi://127.0.0.1:$FERRY_PORT/$FERRY_IQN/0"
TARGETS=(rbd ferry)
if [[ -n $FERRY_OLD_CLI ]]; then
    echo "bench: the older ferry ($FERRY_OLD_CLI) on 127.0.0.1:$FERRY_OLD_PORT" >&2
    start_ferry ferry-old "$FERRY_OLD_CLI" "$FERRY_OLD_PORT"
    old_pid=$started_pid
    wait_for_portal "$FERRY_OLD_PORT" "$old_pid" ferry-old
    pid_of[ferry-old]=$old_pid url_of[ferry-old]="iscsi://127.0.0.1:$FERRY_OLD_PORT/$FERRY_IQN/0"
    TARGETS+=(ferry-old)
fi

echo "bench: tgt (rbd backing store) on 127.0.0.1:$TGT_PORT (control port $TGT_CONTROL_PORT)" >&2
tgtd -f -C "$TGT_CONTROL_PORT" --iscsi "portal=127.0.0.1:$TGT_PORT" >"$work/tgt.log" 2>&1 &
tgt_pid=$!
sleep 0.5
tgtadm -C "$TGT_CONTROL_PORT" --lld iscsi --op new --mode target --tid 1 -T "$TGT_IQN"
tgtadm -C "$TGT_CONTROL_PORT" --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 --bstype rbd \
    --backing-store "$IMAGE" --bsopts "conf=$CONF"
tgtadm -C "$TGT_CONTROL_PORT" --lld iscsi --op bind --mode target --tid 1 -I ALL
wait_for_portal "$TGT_PORT" "$tgt_pid" tgt
pid_of[tgt]=$tgt_pid url_of[tgt]="iscsi://127.0.0.1:$TGT_PORT/$TGT_IQN/1"
TARGETS+=(tgt)

for round in $(seq 0 "$ROUNDS"); do
    echo "bench: round $round of $ROUNDS$([[ $round == 0 ]] && echo ' (warm-up, not counted)')" >&2
    for row in "${ROWS[@]}"; do
        for t in "${TARGETS[@]}"; do
            run_row "$row" "$t" "$round"
        done
    done
done
load=$(cut -d' ' -f1-3 /proc/loadavg)
stop_servers
if [[ -n $old_pid ]]; then
    kill "$old_pid"; wait "$old_pid" 2>/dev/null || true
fi
old_pid=""

IOPS='FILENAME !~ /cpu$/ { print $1 }'
US_PER_IO='FNR == 1 && FILENAME !~ /cpu$/ { iops = $1 } FILENAME ~ /cpu$/ { print (iops * $2 > 0 ? $1 / (iops * $2) * 1e6 : 0) }'
CORES='FILENAME ~ /cpu$/ { print ($2 > 0 ? $1 / $2 : 0) }'
echo
echo "4 KiB I/O to one RBD image (single-node Ceph, memstore OSD, cephx), 127.0.0.1, $(nproc) cores shared by all;"
echo "median of $ROUNDS interleaved rounds after a warm-up round; load average at the end: $load"
old_head="" old_cols=""
[[ -n $FERRY_OLD_CLI ]] && old_head="Ferry old" old_cols="F-old/rbd"
printf '%-14s | %10s | %10s | %10s | %10s | %8s | %8s | %9s\n' test "rbd bench" "Ferry" "$old_head" "tgt-rbd" \
    "F/rbd" "F/tgt" "$old_cols"
for row in "${ROWS[@]}"; do
    r=$(median "$work/rbd.$row" "$IOPS") f=$(median "$work/ferry.$row" "$IOPS") t=$(median "$work/tgt.$row" "$IOPS")
    o=0
    [[ -n $FERRY_OLD_CLI ]] && o=$(median "$work/ferry-old.$row" "$IOPS")
    awk -v row="$row" -v r="$r" -v f="$f" -v t="$t" -v o="$o" 'BEGIN {
        printf "%-14s | %10.0f | %10.0f | %10s | %10.0f | %8.2f | %8.2f | %9s\n", row, r, f,
            (o > 0 ? sprintf("%.0f", o) : ""), t, (r > 0 ? f / r : 0), (t > 0 ? f / t : 0),
            (o > 0 && r > 0 ? sprintf("%.2f", o / r) : "") }'
done
echo
echo "CPU of the target process (utime + stime, all threads), medians: CPU us per I/O ~ CPU s / (IOPS x wall s),"
echo "the initiator's log-in and warm-up included; cores busy = CPU s / wall s"
printf '%-14s | %9s | %9s | %9s | %11s | %11s | %11s\n' test "Ferry us" "F-old us" "tgt us" "Ferry cores" \
    "F-old cores" "tgt cores"
for row in "${ROWS[@]}"; do
    fu=$(median "$work/ferry.$row" "$US_PER_IO") tu=$(median "$work/tgt.$row" "$US_PER_IO")
    fc=$(median "$work/ferry.$row" "$CORES") tc=$(median "$work/tgt.$row" "$CORES") ou="" oc=""
    if [[ -n $FERRY_OLD_CLI ]]; then
        ou=$(median "$work/ferry-old.$row" "$US_PER_IO") oc=$(median "$work/ferry-old.$row" "$CORES")
    fi
    awk -v row="$row" -v fu="$fu" -v tu="$tu" -v ou="$ou" -v fc="$fc" -v tc="$tc" -v oc="$oc" 'BEGIN {
        printf "%-14s | %9.0f | %9s | %9.0f | %11.2f | %11s | %11.2f\n", row, fu,
            (ou != "" ? sprintf("%.0f", ou) : ""), tu, fc, (oc != "" ? sprintf("%.2f", oc) : ""), tc }'
done
