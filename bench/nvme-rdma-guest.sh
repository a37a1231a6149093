#!/bin/sh
# bench/nvme-rdma-guest.sh - runs INSIDE the initiator VM for bench/nvme-rdma.sh (INITVM_RDMA=1: rxe0 on eth0).
# The same block workload twice over the same soft-RoCE device, one target after the other:
#   1. Ferry (`ferry serve`, the host's CLI build over 9p) with a RAM backstore; its subsystem starts on NVMe/TCP
#      only and gets its rdma:// port live from `ferry nvme port add NQN rdma://10.0.2.15:4420`
#   2. the kernel's nvmet-rdma with a brd RAM disk of the same size
# Workload (no fio in the guest, and busybox dd has no O_DIRECT): 4 KiB O_DIRECT reads, then writes, with sg3-utils'
# sg_dd (bs=4096 bpt=1: one 4 KiB request per I/O) on /dev/nvmeXnY. QD1 is one sg_dd; QD32 is 32 sg_dd processes
# at once on disjoint ranges. Lines for the host script start with BENCH.
# Before that it checks `ferry demo --rdma 10.0.2.15` adds the RDMA port (BENCH-CHECK).
# Settings (--env): BENCH_SIZE_MB (128), BENCH_QD1_IOS (2000), BENCH_QD32_IOS (8000), BENCH_WARMUP_IOS (4000, at
# QD32, reads then writes, before the measured runs of each target), BENCH_TARGETS ("ferry nvmet"), BENCH_ROUNDS (1:
# Ferry's part, from `ferry serve` to its stop, that many times, to catch a JVM that dies now and then),
# BENCH_JAVA_OPTS (extra JVM options for `ferry serve`, e.g. -Xcheck:jni)
IP=10.0.2.15 PORT=4420
NQN=nqn.2026-11.dev.ferry:bench-rdma
SIZE_MB=${BENCH_SIZE_MB:-128}
QD1_IOS=${BENCH_QD1_IOS:-2000} QD32_IOS=${BENCH_QD32_IOS:-8000} WARMUP_IOS=${BENCH_WARMUP_IOS:-4000}
ROUNDS=${BENCH_ROUNDS:-1}
JH=${INITVM_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
CLI=/mnt/cli SOCK=/tmp/ferry.sock C=/sys/kernel/config/nvmet

fail() {
    echo "BENCH-FAIL: $*"
    for f in /tmp/demo.log /tmp/serve.log; do [ -f $f ] && tail -20 $f; done
    # the first exception Ferry logged, whole: a tail shows only the end of the last stack trace
    [ -f /tmp/serve.log ] && grep -n -m1 -A40 "Exception\|Error" /tmp/serve.log
    crash_report
    exit 1
}
# a JVM crash report, if any: its summary, the faulting instruction and registers, the thread and its stack
crash_report() {
    for f in /hs_err_pid*.log; do
        [ -f "$f" ] || continue
        echo "BENCH-HS-ERR $f"
        sed -n '1,/^Register to memory mapping/p' "$f" | head -150
        sed -n '/^Java Threads:/,/^Other Threads:/p' "$f" | head -40
    done
}
now() { cut -d' ' -f1 /proc/uptime; }
ferry() { "$JH/bin/java" -XX:TieredStopAtLevel=1 -Xshare:auto -Djna.tmpdir=/tmp \
    -cp "$CLI/lib/*:$CLI/ferry-cli.jar" dev.ferry.cli.FerryCli "$@"; }
wait_for() {  # PATTERN FILE PID SECONDS
    n=0
    until grep -q "$1" "$2"; do
        kill -0 "$3" 2>/dev/null || fail "process died waiting for '$1' in $2"
        [ $n -lt $(($4 * 10)) ] || fail "no '$1' in $2 after $4 s"
        sleep 0.1; n=$((n+1))
    done
}
find_ns() {
    i=0
    while [ $i -lt 120 ]; do
        for b in /sys/block/nvme*n*; do
            case "$b" in */nvme*c*n*) continue ;; esac
            [ "$(cat "$b/device/subsysnqn" 2>/dev/null)" = "$1" ] && [ "$(cat "$b/size")" -gt 0 ] \
                && { echo "/dev/${b##*/}"; return 0; }
        done
        sleep 0.5; i=$((i+1))
    done
    return 1
}
run_dd() {  # TARGET OP QD IOS DEV: prints one BENCH line
    per=$(($4 / $3)) span=$((SIZE_MB * 256 / $3)) t=$(now) i=0 pids=""
    while [ $i -lt "$3" ]; do
        if [ "$2" = read ]; then
            sg_dd if="$5" of=/dev/null bs=4096 bpt=1 count=$per skip=$((i * span)) iflag=direct 2>/tmp/dd.err &
        else
            sg_dd if=/dev/zero of="$5" bs=4096 bpt=1 count=$per seek=$((i * span)) oflag=direct 2>/tmp/dd.err &
        fi
        pids="$pids $!" i=$((i+1))
    done
    for p in $pids; do wait "$p" || fail "sg_dd: $(cat /tmp/dd.err)"; done
    awk -v t="$1" -v op="$2" -v qd="$3" -v n="$((per * $3))" -v a="$t" -v b="$(now)" \
        'BEGIN { printf "BENCH target=%s op=%s qd=%s ios=%d seconds=%.2f iops=%.0f\n", t, op, qd, n, b-a, n/(b-a) }'
}
workload() {  # TARGET NQN
    nvme connect -t rdma -a $IP -s $PORT -n "$2" || fail "nvme connect -t rdma to $1"
    dev=$(find_ns "$2") || fail "no namespace from $1"
    echo "bench: $1 on $dev"
    # warm-up, not reported: Ferry's JIT compiles its hot paths (slowly, under emulation) before the measured runs
    run_dd "$1" read 32 "$WARMUP_IOS" "$dev" > /dev/null
    run_dd "$1" write 32 "$WARMUP_IOS" "$dev" > /dev/null
    for op in read write; do
        run_dd "$1" $op 1 "$QD1_IOS" "$dev"
        run_dd "$1" $op 32 "$QD32_IOS" "$dev"
    done
    # soft-RoCE's own counters (retransmissions, RNR NAKs, sequence errors), cumulative since rxe0 was created
    echo "BENCH-RXE $1: $(rdma statistic show link rxe0/1 | tr -s ' ' | cut -d' ' -f3-)"
    nvme disconnect -n "$2" > /dev/null || fail "disconnect from $1"
}

[ -e /sys/class/infiniband/rxe0 ] || fail "no rxe0: boot with --env INITVM_RDMA=1"
command -v sg_dd > /dev/null || fail "no sg_dd (sg3-utils) in the guest"

# ferry demo --rdma: the port is added when RDMA is there
ferry demo --rdma $IP --nvme-port 4421 --iscsi-port 3261 --size 16M > /tmp/demo.log 2>&1 &
pid=$!
wait_for "ferry: running" /tmp/demo.log $pid 180
grep -q "nvme connect -t rdma -a $IP -s 4421 -n nqn.2026-11.dev.ferry:demo" /tmp/demo.log \
    || fail "ferry demo --rdma printed no RDMA hint"
rdma resource show cm_id | grep LISTEN | grep -q ":4421" || fail "ferry demo --rdma: no RDMA listener on :4421"
kill -TERM $pid; wait $pid
echo "BENCH-CHECK ferry demo --rdma $IP listens on rdma://$IP:4421"

# 1. Ferry: TCP first, the RDMA port added live through the control socket; BENCH_ROUNDS times, each with a new JVM
round=1
while [ $round -le "$ROUNDS" ]; do
cat > /tmp/ferry.json <<JSON
{"backstores": [{"name": "ram", "type": "ram", "size": "${SIZE_MB}M"}],
 "targets": [{"name": "$NQN", "protocol": "nvme", "portals": ["127.0.0.1:$PORT"],
              "luns": [{"id": 1, "backstore": "ram"}], "allowAnyInitiator": true}]}
JSON
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of options
"$JH/bin/java" ${BENCH_JAVA_OPTS:-} -Djna.tmpdir=/tmp -cp "$CLI/lib/*:$CLI/ferry-cli.jar" dev.ferry.cli.FerryCli \
    serve --config /tmp/ferry.json --control-socket $SOCK > /tmp/serve.log 2>&1 &
pid=$!
wait_for "ferry: running" /tmp/serve.log $pid 180
# if Ferry dies mid-run the kernel initiator just keeps reconnecting: say so on the console at once
( while kill -0 $pid 2>/dev/null; do sleep 1; done
  echo "BENCH-FAIL: ferry exited during round $round"; tail -40 /tmp/serve.log
  crash_report; poweroff -f ) &
watchdog=$!
ferry nvme port add --control-socket $SOCK "$NQN" "rdma://$IP:$PORT" || fail "ferry nvme port add rdma://"
rdma resource show cm_id | grep LISTEN | grep -q ":$PORT" || fail "no RDMA listener after ferry nvme port add"
echo "BENCH-CHECK ferry nvme port add $NQN rdma://$IP:$PORT listens (round $round)"
case " ${BENCH_TARGETS:-ferry nvmet} " in *" ferry "*) workload ferry "$NQN" ;; esac
kill $watchdog; kill -TERM $pid; wait $pid
round=$((round + 1))
done
case " ${BENCH_TARGETS:-ferry nvmet} " in *" nvmet "*) ;; *) echo INITVM-SCENARIO-PASS; exit 0 ;; esac

# 2. nvmet-rdma on the same device and port, brd of the same size
modprobe brd rd_nr=1 rd_size=$((SIZE_MB * 1024)) max_part=0 || fail "brd"
modprobe nvmet-rdma || fail "nvmet-rdma"
K=nqn.2026-11.org.kernel:bench-nvmet
mkdir $C/subsystems/$K && echo 1 > $C/subsystems/$K/attr_allow_any_host
mkdir $C/subsystems/$K/namespaces/1
echo -n /dev/ram0 > $C/subsystems/$K/namespaces/1/device_path
echo 1 > $C/subsystems/$K/namespaces/1/enable || fail "nvmet namespace"
mkdir $C/ports/1
echo rdma > $C/ports/1/addr_trtype; echo ipv4 > $C/ports/1/addr_adrfam
echo $IP > $C/ports/1/addr_traddr; echo $PORT > $C/ports/1/addr_trsvcid
ln -s $C/subsystems/$K $C/ports/1/subsystems/$K || fail "nvmet port"
workload nvmet "$K"
rm $C/ports/1/subsystems/$K; rmdir $C/ports/1
echo 0 > $C/subsystems/$K/namespaces/1/enable; rmdir $C/subsystems/$K/namespaces/1 $C/subsystems/$K
echo INITVM-SCENARIO-PASS
