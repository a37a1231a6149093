#!/bin/sh
# scenario-nvme-ana.sh - runs INSIDE the initiator-vm guest (busybox sh), driven by LinuxInitiatorAnaTest.
# One subsystem on two ports in different ANA groups: the kernel's native NVMe multipath connects both paths and
# must show one optimized and one non-optimized path, then follow two live ANA changes made on the target while a
# write+read+compare loop runs on the multipath device, without an I/O error.
#
# Usage: scenario-nvme-ana.sh NQN ADDR
# Ports 4420 (group 1) and 4421 (group 2). After FERRY-ANA-READY the test makes group 1 inaccessible and group 2
# optimized; after FERRY-ANA-FLIPPED it puts them back (group 1 optimized, group 2 non-optimized).
NQN=$1 ADDR=$2
CHUNK=262144
CHUNKS=64

t0=$(cut -d' ' -f1 /proc/uptime)
step() { echo "=== [$(awk -v a="$t0" '{printf "%.1f", $1-a}' /proc/uptime)s] $*"; }
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
# Waits up to 90 s until port 4420's path is in state $1 and port 4421's in $2.
wait_states() {
    i=0
    while [ $i -lt 180 ]; do
        a=$(state 4420); b=$(state 4421)
        [ "$a" = "$1" ] && [ "$b" = "$2" ] && { echo "FERRY-PATHS 4420=$a 4421=$b"; return 0; }
        sleep 0.5; i=$((i+1))
    done
    echo "FERRY-PATHS 4420=$a 4421=$b"
    return 1
}
count() { cat /tmp/count 2>/dev/null || echo 0; }
# Waits up to 120 s until the I/O loop has done $1 more rounds: it goes on through the change.
progress() {
    want=$(($(count) + $1)); i=0
    while [ "$(count)" -lt $want ]; do
        [ -f /tmp/ioerr ] && fail "I/O error: $(cat /tmp/ioerr)"
        [ $i -lt 240 ] || fail "the I/O loop stalled at $(count) rounds"
        sleep 0.5; i=$((i+1))
    done
}

step "connect both ports of $NQN"
nvme connect -t tcp -a "$ADDR" -s 4420 -n "$NQN" || fail "connect 4420"
nvme connect -t tcp -a "$ADDR" -s 4421 -n "$NQN" || fail "connect 4421"
wait_states optimized non-optimized || fail "paths not optimized / non-optimized"
nvme list-subsys 2>&1
HEAD=
for b in /sys/block/nvme*n1; do
    case ${b##*/} in *c*) ;; *) HEAD=/dev/${b##*/} ;; esac
done
[ -b "$HEAD" ] || fail "no multipath device"
echo "FERRY-ANA-PATHS head=$HEAD"

step "write+read+compare loop on $HEAD"
dd if=/dev/urandom of=/tmp/pattern bs=$CHUNK count=1 2>/dev/null
DIRECT_OUT=oflag=direct DIRECT_IN=iflag=direct
dd if=/tmp/pattern of="$HEAD" bs=$CHUNK count=1 $DIRECT_OUT conv=notrunc 2>/dev/null \
    || { DIRECT_OUT=conv=fsync DIRECT_IN=; echo "busybox dd without O_DIRECT: fsync and drop caches"; }
(
    n=0
    while [ ! -f /tmp/stop ]; do
        off=$((n % CHUNKS))
        dd if=/tmp/pattern of="$HEAD" bs=$CHUNK seek=$off count=1 $DIRECT_OUT conv=notrunc 2>/tmp/dd.err \
            || { echo "write round $n: $(cat /tmp/dd.err)" > /tmp/ioerr; break; }
        [ -n "$DIRECT_IN" ] || echo 3 > /proc/sys/vm/drop_caches
        dd if="$HEAD" of=/tmp/back bs=$CHUNK skip=$off count=1 $DIRECT_IN 2>/tmp/dd.err \
            || { echo "read round $n: $(cat /tmp/dd.err)" > /tmp/ioerr; break; }
        cmp -s /tmp/pattern /tmp/back || { echo "mismatch round $n" > /tmp/ioerr; break; }
        n=$((n+1)); echo $n > /tmp/count
    done
) &
LOOP=$!
progress 3
echo "FERRY-ANA-READY"

step "the target makes group 1 inaccessible, group 2 optimized"
wait_states inaccessible optimized || fail "the paths did not follow the first ANA change"
progress 5
echo "FERRY-ANA-FLIPPED"

step "the target puts them back"
wait_states optimized non-optimized || fail "the paths did not follow the second ANA change"
progress 5
touch /tmp/stop
wait $LOOP
[ -f /tmp/ioerr ] && fail "I/O error: $(cat /tmp/ioerr)"
dmesg | grep -i "nvme" | tail -20
echo "FERRY-ANA-IO-OK rounds=$(count)"
nvme disconnect -n "$NQN" || fail "disconnect"
echo "INITVM-SCENARIO-PASS"
