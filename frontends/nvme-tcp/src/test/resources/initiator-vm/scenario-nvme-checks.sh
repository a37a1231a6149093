#!/bin/sh
# scenario-nvme-checks.sh - runs INSIDE the initiator-vm guest (busybox sh), driven by LinuxInitiatorChecksTest.
# One boot covers what scenario-nvme.sh does not: a denied host, identity stable across connects, blkdiscard and
# fstrim (Dataset Management deallocate), a namespace added while connected (Namespace Attribute Changed event),
# and keep-alive timeout, which needs the host side to freeze the guest.
#
# Usage: scenario-nvme-checks.sh NQN ADDR PORT DENIED_HOSTNQN
# Prints FERRY-ID lines (one per connect); after FERRY-AEN-READY the test adds namespace 2 to the subsystem; after
# FERRY-RESIZE-READY it grows namespace 1 to 192 MiB; after FERRY-KATO-CONNECTED it stops QEMU (SIGSTOP) until the
# target has freed the controller, then continues it.
NQN=$1 ADDR=$2 PORT=$3 DENIED=$4
DENIED_HOSTID=0badbad0-0000-4000-8000-000000000002
MNT=/mnt/nvme
KATO=5
MIB=1048576

t0=$(cut -d' ' -f1 /proc/uptime)
step() { echo "=== [$(awk -v a="$t0" '{printf "%.1f", $1-a}' /proc/uptime)s] $*"; }
fail() { echo "SCENARIO-FAIL: $*"; dmesg | tail -30; exit 1; }

# The controller (nvmeX) connected to $NQN, waiting up to 60 s for its namespace to appear.
controller() {
    i=0
    while [ $i -lt 120 ]; do
        for c in /sys/class/nvme/nvme*; do
            [ "$(cat "$c/subsysnqn" 2>/dev/null)" = "$NQN" ] || continue
            [ -b "/dev/${c##*/}n1" ] && { echo "${c##*/}"; return 0; }
        done
        sleep 0.5; i=$((i+1))
    done
    return 1
}
connect() {
    nvme connect -t tcp -a "$ADDR" -s "$PORT" -n "$NQN" "$@" || fail "nvme connect $*"
    CTRL=$(controller) || fail "no namespace appeared for $NQN"
    DEV=/dev/${CTRL}n1
}
field() { awk -v k="$1" '$1 == k { sub(/^[^:]*: */, ""); sub(/ +$/, ""); print; exit }'; }
identity() {
    ctrl=$(nvme id-ctrl "/dev/$CTRL") || fail "id-ctrl"
    ns=$(nvme id-ns "$DEV") || fail "id-ns"
    echo "FERRY-ID sn=$(echo "$ctrl" | field sn) mn=$(echo "$ctrl" | field mn) fr=$(echo "$ctrl" | field fr)" \
        "nguid=$(echo "$ns" | field nguid) eui64=$(echo "$ns" | field eui64)" \
        "queues=$(cat /sys/class/nvme/$CTRL/queue_count)"
}
# Reads LEN bytes at byte offset OFF of $DEV into FILE, from the device: the page cache is dropped first.
read_at() {
    echo 3 > /proc/sys/vm/drop_caches
    dd if="$DEV" of="$3" bs=$MIB skip=$(($1 / MIB)) count=$(($2 / MIB)) 2>/dev/null
}

step "denied host $DENIED: discovery must not list $NQN, connect must fail"
out=$(nvme discover -t tcp -a "$ADDR" -s "$PORT" -q "$DENIED" -I "$DENIED_HOSTID") || fail "discovery as denied host"
echo "$out" | grep -q "subnqn: *$NQN\$" && fail "the discovery log shows $NQN to a denied host"
nvme connect -t tcp -a "$ADDR" -s "$PORT" -n "$NQN" -q "$DENIED" -I "$DENIED_HOSTID" \
    && fail "a denied host connected"
echo "FERRY-DENIED-OK"

step "allowed host: discover, connect, identify"
nvme discover -t tcp -a "$ADDR" -s "$PORT" | grep -q "subnqn: *$NQN\$" || fail "$NQN not in the discovery log"
connect
nvme list
identity

step "blkdiscard: write 3 MiB, deallocate the middle MiB, it reads zeroes and its neighbours are intact"
dd if=/dev/urandom of=/tmp/pattern bs=$MIB count=3 2>/dev/null
dd if=/tmp/pattern of="$DEV" bs=$MIB seek=8 conv=fsync 2>/dev/null || fail "pattern write"
blkdiscard -o $((9 * MIB)) -l $MIB "$DEV" || fail "blkdiscard"
dd if=/dev/zero of=/tmp/zero bs=$MIB count=1 2>/dev/null
read_at $((9 * MIB)) $MIB /tmp/mid && cmp /tmp/mid /tmp/zero || fail "the discarded range does not read zeroes"
dd if=/tmp/pattern of=/tmp/expect-head bs=$MIB count=1 2>/dev/null
dd if=/tmp/pattern of=/tmp/expect-tail bs=$MIB skip=2 count=1 2>/dev/null
read_at $((8 * MIB)) $MIB /tmp/head && cmp /tmp/head /tmp/expect-head || fail "blkdiscard hit the MiB before"
read_at $((10 * MIB)) $MIB /tmp/tail && cmp /tmp/tail /tmp/expect-tail || fail "blkdiscard hit the MiB after"
echo "FERRY-BLKDISCARD-OK"

step "fstrim: ext4 without mkfs discard, a deleted file's blocks are trimmed, a kept file survives"
mkfs.ext4 -F -q -E nodiscard "$DEV" || fail "mkfs"
mkdir -p $MNT && mount -t ext4 "$DEV" $MNT || fail "mount"
dd if=/dev/urandom of=$MNT/keep bs=$MIB count=4 2>/dev/null
dd if=/dev/urandom of=$MNT/drop bs=$MIB count=16 2>/dev/null
sync && (cd $MNT && sha256sum keep) > /tmp/sums && rm $MNT/drop && sync
trimmed=$(fstrim -v $MNT) || fail "fstrim"
echo "$trimmed"
bytes=$(echo "$trimmed" | awk '{print $2}')
[ "${bytes:-0}" -ge $((16 * MIB)) ] || fail "fstrim trimmed less than the deleted 16 MiB"
umount $MNT && echo 3 > /proc/sys/vm/drop_caches && mount -t ext4 "$DEV" $MNT || fail "remount"
(cd $MNT && sha256sum -c /tmp/sums) || fail "the kept file changed after fstrim"
umount $MNT
echo "FERRY-FSTRIM-OK"
nvme disconnect -n "$NQN" || fail "disconnect"

step "reconnect: the same identity"
connect
identity

step "namespace 2 added while connected: the event makes the kernel rescan"
echo "FERRY-AEN-READY"
i=0
while [ ! -b "/dev/${CTRL}n2" ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i+1)); done
[ -b "/dev/${CTRL}n2" ] || fail "namespace 2 did not appear"
echo "FERRY-AEN-OK $(nvme id-ns "/dev/${CTRL}n2" | field nguid)"

step "namespace 1 grown while connected: the same event makes the kernel revalidate its size"
echo "FERRY-RESIZE-READY"
i=0
while [ "$(blockdev --getsize64 "/dev/${CTRL}n1")" -ne $((192 * MIB)) ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i+1)); done
dmesg | grep "${CTRL}n1: detected capacity change" || fail "the kernel did not detect namespace 1's new size"
echo "FERRY-RESIZE-OK $(blockdev --getsize64 "/dev/${CTRL}n1")"
nvme disconnect -n "$NQN" || fail "disconnect"

step "keep-alive: connect with KATO ${KATO}s; the test freezes this VM and the target must free the controller"
connect --keep-alive-tmo=$KATO
before=$(cat /sys/class/nvme/$CTRL/cntlid)
echo "FERRY-KATO-CONNECTED cntlid=$before"
# After the thaw the kernel finds its connections closed and reconnects: a new controller, or not live yet.
i=0
while [ $i -lt 240 ]; do
    state=$(cat /sys/class/nvme/$CTRL/state 2>/dev/null)
    now=$(cat /sys/class/nvme/$CTRL/cntlid 2>/dev/null)
    [ "$state" != live ] || [ "$now" != "$before" ] && break
    sleep 0.5; i=$((i+1))
done
[ $i -lt 240 ] || fail "the guest still sees controller $before live"
echo "FERRY-KATO-GUEST state=$state cntlid=$before->$now"
nvme disconnect -n "$NQN" >/dev/null 2>&1
step "all checks passed"
echo INITVM-SCENARIO-PASS
