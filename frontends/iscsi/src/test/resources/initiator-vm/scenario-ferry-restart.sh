#!/bin/sh
# Runs INSIDE the initiator VM: the target restarts under a mounted file system. Login, mkfs, write and sync,
# then print FERRY-RESTART-TARGET and wait: the test stops Ferry, we report FERRY-TARGET-DOWN-SEEN once the session
# failed, the test starts Ferry again on the same port, and open-iscsi's session recovery must log in again
# (replacement_timeout 30 s). Then the data written before the restart must verify, and more I/O must work.
# Last, a live resize: we print FERRY-RESIZE-TARGET, the test grows the backstore, our next command gets CAPACITY
# DATA HAS CHANGED (the kernel logs it), a rescan reads the new size and the kernel detects the capacity change.
# Settings: FERRY_PORTAL, FERRY_IQN, FERRY_RESIZED_BYTES (the size the test resizes to).
P=${FERRY_PORTAL:-10.0.2.100:3260}
T=$FERRY_IQN
MNT=/mnt/ferry
t0=$(cut -d' ' -f1 /proc/uptime)
step() { echo "=== [$(awk -v a="$t0" '{printf "%.1f", $1-a}' /proc/uptime)s] $*"; }
fail() { echo "SCENARIO-FAIL: $*"; dmesg | tail -30; exit 1; }

session_dir() {
    for s in /sys/class/iscsi_session/session*; do
        [ "$(cat "$s/targetname" 2>/dev/null)" = "$T" ] && { echo "$s"; return 0; }
    done
    return 1
}
find_disk() {
    i=0
    while [ $i -lt 120 ]; do
        s=$(session_dir) && for b in "$s"/device/target*/*:*:*:*/block/*; do
            [ -e "$b" ] && [ "$(cat "$b/size")" -gt 0 ] && { echo "/dev/$(basename "$b")"; return 0; }
        done
        sleep 0.5; i=$((i+1))
    done
    return 1
}
# Waits up to $2 half-seconds for the session state to satisfy the test $1 ("= LOGGED_IN" or "!= LOGGED_IN").
wait_state() {
    i=0
    while [ $i -lt "$2" ]; do
        st=$(cat "$S/state" 2>/dev/null)
        [ "$st" $1 ] && return 0
        sleep 0.5; i=$((i+1))
    done
    return 1
}

step "starting iscsid"
iscsid || fail "iscsid did not start"
sleep 0.5
iscsiadm -m node -T "$T" -p "$P" -o new >/dev/null || fail "cannot create the node record"
iscsiadm -m node -T "$T" -p "$P" -o update -n node.session.timeo.replacement_timeout -v 30 || fail "cannot set replacement_timeout"
iscsiadm -m node -T "$T" -p "$P" --login || fail "login failed"
DEV=$(find_disk) || fail "no disk appeared"
S=$(session_dir)
step "logged in: $DEV, $S"
mkfs.ext4 -F -q "$DEV" || fail "mkfs failed"
mkdir -p $MNT
mount -t ext4 "$DEV" $MNT || fail "mount failed"
for i in 1 2; do
    dd if=/dev/urandom of=$MNT/before$i bs=1M count=8 2>/dev/null || fail "write failed"
done
sync
(cd $MNT && sha256sum before*) > /tmp/sums
cat /tmp/sums

step "data synced, asking for a target restart"
echo FERRY-RESTART-TARGET
wait_state "!= LOGGED_IN" 60 || fail "the session never noticed the target going away"
echo "FERRY-TARGET-DOWN-SEEN state=$st"
wait_state "= LOGGED_IN" 120 || fail "session recovery did not log in again within 60 s (state $st)"
echo FERRY-SESSION-RECOVERED
step "session recovered"
iscsiadm -m session -P 1 | grep -E 'Target:|iSCSI Session State|Internal iscsid Session State'

echo 3 > /proc/sys/vm/drop_caches
(cd $MNT && sha256sum -c /tmp/sums) || fail "data written before the restart does not verify"
dd if=/dev/urandom of=$MNT/after bs=1M count=4 2>/dev/null || fail "write after recovery failed"
sync
(cd $MNT && sha256sum before* after) > /tmp/sums
umount $MNT || fail "umount failed"

before=$(blockdev --getsize64 "$DEV")
step "asking for a live resize of $DEV ($before bytes)"
echo FERRY-RESIZE-TARGET
i=0
while ! dmesg | grep -q "Capacity data has changed"; do
    [ $i -lt 120 ] || fail "no CAPACITY DATA HAS CHANGED unit attention within 60 s"
    dd if="$DEV" of=/dev/null bs=4096 count=1 iflag=direct 2>/dev/null
    sleep 0.5; i=$((i+1))
done
echo 1 > "/sys/block/$(basename "$DEV")/device/rescan"
after=$(blockdev --getsize64 "$DEV")
dmesg | grep -E "Capacity data has changed|detected capacity change"
dmesg | grep -q "$(basename "$DEV"): detected capacity change" || fail "the kernel did not detect the capacity change"
[ "$after" = "$FERRY_RESIZED_BYTES" ] || fail "after the resize $DEV has $after bytes, not $FERRY_RESIZED_BYTES"
echo "FERRY-CHECK resize ok: $before -> $after bytes"

iscsiadm -m node -T "$T" -p "$P" --logout || fail "logout failed"
iscsiadm -m node -T "$T" -p "$P" --login || fail "login after recovery failed"
DEV=$(find_disk) || fail "no disk after the new login"
e2fsck -fn "$DEV" >/tmp/fsck.out 2>&1 || { cat /tmp/fsck.out; fail "e2fsck found problems"; }
mount -t ext4 "$DEV" $MNT || fail "remount failed"
(cd $MNT && sha256sum -c /tmp/sums) || fail "checksums differ after a fresh login"
umount $MNT
iscsiadm -m node -T "$T" -p "$P" --logout || fail "final logout failed"
step "all checks passed"
echo INITVM-SCENARIO-PASS
