#!/bin/sh
# scenario-gateway-failover.sh - runs INSIDE the initiator-vm guest (busybox sh), driven by GatewayMultipathTest.
# Two ferry serve members of one gateway group export one rbd image as one subsystem: member a on port 4420 (owner,
# optimized), member b on 4421 (non-optimized). The kernel's native NVMe multipath connects both; a write+read+
# compare loop runs on the multipath device while the test SIGKILLs the owning member, KILLS times: I/O must go on
# through the other, which becomes optimized; when the killed one is back it must show non-optimized, and it is the
# next one killed. No I/O error at any point. Each failover's I/O pause (the longest gap between two completed
# write+read+compare rounds around the kill) is reported.
#
# Usage: scenario-gateway-failover.sh NQN ADDR [KILLS]
# After "FERRY-GW-READY K owner=PORT" the test kills the member on PORT; after "FERRY-GW-FAILED-OVER K" it starts
# that member again.
NQN=$1 ADDR=$2 KILLS=${3:-1}
CHUNK=65536
CHUNKS=64

t0=$(cut -d' ' -f1 /proc/uptime)
now() { awk -v a="$t0" '{printf "%.1f", $1-a}' /proc/uptime; }
step() { echo "=== [$(now)s] $*"; }
fail() { echo "SCENARIO-FAIL: $*"; touch /tmp/stop; dmesg | tail -40; exit 1; }

# The ANA state the path through port $1 shows (sysfs ana_state of the path's hidden namespace), or "none".
state() {
    for c in /sys/class/nvme/nvme*; do
        [ "$(cat "$c/subsysnqn" 2>/dev/null)" = "$NQN" ] || continue
        grep -q "trsvcid=$1" "$c/address" 2>/dev/null || continue
        for p in "$c"/nvme*c*n1/ana_state /sys/block/nvme*c"${c##*/nvme}"n1/ana_state; do
            [ -f "$p" ] && { cat "$p"; return; }
        done
    done
    echo none
}
# Waits up to 180 s until port $1's path is in state $2.
wait_state() {
    i=0
    while [ $i -lt 360 ]; do
        s=$(state "$1")
        [ "$s" = "$2" ] && { echo "FERRY-PATH $1=$s at $(now)s"; return 0; }
        sleep 0.5; i=$((i+1))
    done
    echo "FERRY-PATH $1=$s"
    return 1
}
count() { cat /tmp/count 2>/dev/null || echo 0; }
# Waits up to 180 s until the I/O loop has done $1 more rounds.
progress() {
    want=$(($(count) + $1)); i=0
    while [ "$(count)" -lt $want ]; do
        [ -f /tmp/ioerr ] && fail "I/O error: $(cat /tmp/ioerr)"
        [ $i -lt 360 ] || fail "the I/O loop stalled at $(count) rounds"
        sleep 0.5; i=$((i+1))
    done
}

step "connect both members of $NQN"
nvme connect -t tcp -a "$ADDR" -s 4420 -n "$NQN" -c 1 -l 600 || fail "connect 4420"
nvme connect -t tcp -a "$ADDR" -s 4421 -n "$NQN" -c 1 -l 600 || fail "connect 4421"
wait_state 4420 optimized || fail "member a is not optimized"
wait_state 4421 non-optimized || fail "member b is not non-optimized"
nvme list-subsys 2>&1
HEAD=
for b in /sys/block/nvme*n1; do
    case ${b##*/} in *c*) ;; *) HEAD=/dev/${b##*/} ;; esac
done
[ -b "$HEAD" ] || fail "no multipath device (one NGUID behind both members?)"
echo "FERRY-GW-PATHS head=$HEAD"

step "write+read+compare loop on $HEAD"
dd if=/dev/urandom of=/tmp/pattern bs=$CHUNK count=1 2>/dev/null
DIRECT_OUT=oflag=direct DIRECT_IN=iflag=direct
dd if=/tmp/pattern of="$HEAD" bs=$CHUNK count=1 $DIRECT_OUT conv=notrunc 2>/dev/null \
    || { DIRECT_OUT=conv=fsync DIRECT_IN=; echo "busybox dd without O_DIRECT: fsync and drop caches"; }
(
    n=0
    while [ ! -f /tmp/stop ]; do
        off=$((n % CHUNKS))
        # Each round's chunk starts with its round number, so a lost acknowledged write shows at the end.
        { echo "round $n"; cat /tmp/pattern; } | head -c $CHUNK > /tmp/chunk
        dd if=/tmp/chunk of="$HEAD" bs=$CHUNK seek=$off count=1 $DIRECT_OUT conv=notrunc 2>/tmp/dd.err \
            || { echo "write round $n: $(cat /tmp/dd.err)" > /tmp/ioerr; break; }
        [ -n "$DIRECT_IN" ] || echo 3 > /proc/sys/vm/drop_caches
        dd if="$HEAD" of=/tmp/back bs=$CHUNK skip=$off count=1 $DIRECT_IN 2>/tmp/dd.err \
            || { echo "read round $n: $(cat /tmp/dd.err)" > /tmp/ioerr; break; }
        cmp -s /tmp/chunk /tmp/back || { echo "mismatch round $n" > /tmp/ioerr; break; }
        n=$((n+1)); echo $n > /tmp/count; echo "$(now)" >> /tmp/rounds
    done
) &
LOOP=$!
# The longest gap between two completed rounds since uptime-relative time $1.
max_gap() { awk -v from="$1" 'prev != "" && $1 >= from && $1 - prev > gap { gap = $1 - prev } { prev = $1 }
    END { printf "%.1f", gap }' /tmp/rounds; }
progress 3
owner=4420 other=4421 k=1
while [ $k -le "$KILLS" ]; do
    ready=$(now)
    echo "FERRY-GW-READY $k owner=$owner at ${ready}s"
    step "kill $k: the owner ($owner) is killed: $other must take over"
    wait_state $other optimized || fail "the member on $other did not become optimized"
    progress 3
    echo "FERRY-GW-FAILED-OVER $k io-pause=$(max_gap "$ready")s"
    step "the member on $owner is back: non-optimized"
    wait_state $owner non-optimized || fail "the member on $owner did not come back non-optimized"
    progress 3
    t=$owner; owner=$other; other=$t; k=$((k+1))
done
touch /tmp/stop
wait $LOOP
[ -f /tmp/ioerr ] && fail "I/O error: $(cat /tmp/ioerr)"
rounds=$(count)
step "every acknowledged write reads back: each chunk holds the last round written to it"
[ -n "$DIRECT_IN" ] || echo 3 > /proc/sys/vm/drop_caches
i=0
while [ $i -lt $CHUNKS ] && [ $i -lt "$rounds" ]; do
    last=$((i + CHUNKS * ((rounds - 1 - i) / CHUNKS)))
    dd if="$HEAD" of=/tmp/back bs=$CHUNK skip=$i count=1 $DIRECT_IN 2>/dev/null || fail "read back chunk $i"
    { echo "round $last"; cat /tmp/pattern; } | head -c $CHUNK | cmp -s - /tmp/back \
        || fail "chunk $i does not hold round $last: $(head -c 16 /tmp/back)"
    i=$((i+1))
done
echo "FERRY-GW-VERIFIED chunks=$i"
dmesg | grep -i "nvme" | tail -20
echo "FERRY-GW-IO-OK rounds=$(count)"
nvme disconnect -n "$NQN" || fail "disconnect"
echo "INITVM-SCENARIO-PASS"
