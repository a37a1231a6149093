#!/bin/sh
# scenario-gateway-iscsi.sh - runs INSIDE the initiator-vm guest (busybox sh), driven by GatewayMultipathTest.
# Two ferry serve members of one gateway group export one rbd image as one iSCSI target: member a (access group 1,
# owner) on port 3260, member b (access group 2) on 3261. The guest logs in to both and reads REPORT TARGET PORT
# GROUPS (sg_rtpg) through each session: both must report the same states before the owner is SIGKILLed (1 active/
# optimized, 2 active/non-optimized) and, through the survivor, after it (1 unavailable, 2 active/optimized); a SCSI
# WRITE (sg_dd, SG_IO) through the survivor then succeeds and reads back; when a is back both sessions report
# 1 active/non-optimized, 2 active/optimized.
#
# Usage: scenario-gateway-iscsi.sh IQN ADDR
# After FERRY-ISCSI-READY the test kills a; after FERRY-ISCSI-FAILED-OVER it starts a again.
IQN=$1 ADDR=$2

t0=$(cut -d' ' -f1 /proc/uptime)
now() { awk -v a="$t0" '{printf "%.1f", $1-a}' /proc/uptime; }
step() { echo "=== [$(now)s] $*"; }
fail() { echo "SCENARIO-FAIL: $*"; dmesg | tail -40; exit 1; }

# The sg device of the session through port $1.
sgdev() {
    for s in /sys/class/iscsi_session/session*; do
        [ "$(cat "$s"/device/connection*/iscsi_connection/connection*/persistent_port 2>/dev/null)" = "$1" ] \
            || continue
        for g in "$s"/device/target*/*/scsi_generic/sg*; do
            [ -e "$g" ] && { echo "/dev/${g##*/}"; return; }
        done
    done
}
# "ID=STATE ..." of REPORT TARGET PORT GROUPS through $1 (SPC-4 Table 216 codes), or the error.
rtpg() {
    # "  target port group id : 0x1 , Pref=0, Rtpg_fmt=0" then "    ... asymmetric access state : 0x00"
    sg_rtpg "$1" 2>&1 | awk -F' *: *' '/target port group id/ {id=$2; sub(/ *,.*/, "", id); sub(/^0x0*/, "", id)}
        /asymmetric access state/ {st=$2; sub(/ .*/, "", st); printf "%s=%s ", id, st}' | sed 's/ $//'
}
# Waits up to 180 s until RTPG through port $1 reports $2.
wait_rtpg() {
    i=0
    while [ $i -lt 360 ]; do
        d=$(sgdev "$1")
        s=$([ -n "$d" ] && rtpg "$d")
        [ "$s" = "$2" ] && { echo "FERRY-RTPG $1: $s at $(now)s"; return 0; }
        sleep 0.5; i=$((i+1))
    done
    echo "FERRY-RTPG $1: '$s' (device '$d'), not '$2'"
    sg_rtpg -d "$d" 2>&1
    return 1
}

# Reads the 64 KiB at LBA 2048 through sg device $1 into $2, past a unit attention (the states changed).
sgread() {
    i=0
    until sg_dd if="$1" of="$2" bs=512 skip=2048 count=128 2>/dev/null; do
        i=$((i+1)); [ $i -lt 20 ] || return 1; sleep 1
    done
}

step "log in to $IQN through both members"
iscsid || true
sleep 1
for p in 3260 3261; do
    iscsiadm -m discovery -t sendtargets -p "$ADDR:$p" || fail "discovery $p"
    # the advertised portal (127.0.0.1) is not reachable from the guest: a node record for the forwarded one
    iscsiadm -m node -o new -T "$IQN" -p "$ADDR:$p" >/dev/null || fail "node record $p"
    iscsiadm -m node -T "$IQN" -p "$ADDR:$p" --login || fail "login $p"
done
sleep 2
ls -l /sys/class/scsi_generic/ 2>&1
[ -n "$(sgdev 3260)" ] && [ -n "$(sgdev 3261)" ] || fail "no sg device per session"
wait_rtpg 3260 "1=0x00 2=0x01" || fail "RTPG through a"
wait_rtpg 3261 "1=0x00 2=0x01" || fail "RTPG through b"
echo "FERRY-ISCSI-READY at $(now)s"

step "the owner (member a, 3260) is killed: member b must take over"
wait_rtpg 3261 "1=0x03 2=0x00" || fail "RTPG through b after the failover"
B=$(sgdev 3261)
dd if=/dev/urandom of=/tmp/pattern bs=65536 count=1 2>/dev/null
i=0
until sg_dd if=/tmp/pattern of="$B" bs=512 seek=2048 count=128 2>/tmp/sgdd.err; do
    # a unit attention (the states changed) or the image lock moving: the initiator retries
    i=$((i+1)); [ $i -lt 20 ] || fail "SCSI write through b: $(cat /tmp/sgdd.err)"; sleep 1
done
sgread "$B" /tmp/back || fail "SCSI read through b"
cmp -s /tmp/pattern /tmp/back || fail "the data written through b does not read back"
echo "FERRY-ISCSI-WRITE-OK"
echo "FERRY-ISCSI-FAILED-OVER"

step "member a is back: both sessions consistent"
# The session to a is logged in again rather than left to the kernel's recovery: while a was down, each reconnect
# went through QEMU's forwarder, which answers a refused port with its error text, and the session may be offline.
i=0
until iscsiadm -m node -T "$IQN" -p "$ADDR:3260" --logout >/dev/null 2>&1; iscsiadm -m node -T "$IQN" -p "$ADDR:3260" --login; do
    i=$((i+1))
    [ $i -lt 60 ] || fail "login to a after it returned"
    sleep 2
done
wait_rtpg 3260 "1=0x01 2=0x00" || fail "RTPG through a after it returned"
wait_rtpg 3261 "1=0x01 2=0x00" || fail "RTPG through b after a returned"
sgread "$(sgdev 3260)" /tmp/back2 || fail "SCSI read through a"
cmp -s /tmp/pattern /tmp/back2 || fail "a does not read what b wrote"
echo "FERRY-ISCSI-CONSISTENT"
iscsiadm -m node -T "$IQN" --logout || true
echo "INITVM-SCENARIO-PASS"
