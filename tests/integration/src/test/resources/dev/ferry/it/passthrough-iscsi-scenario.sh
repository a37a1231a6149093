#!/bin/sh
# Runs inside the initiator VM (PassthroughIscsiInGuestTest): Ferry, on the 9p-shared host JDK, exports the guest's
# emulated SCSI disk (scsi backend, LUN 0) and ATA disk (ata backend, LUN 1) over iSCSI on 127.0.0.1:3260; the
# guest's own open-iscsi logs in. Prints one FERRY-IT line per disk (identity and size) for the local disks and the
# iSCSI disks, and the checksums of data written through iSCSI and read back through iSCSI and from the local disk.
IQN=iqn.2026-11.dev.ferry:passthrough
PORTAL=127.0.0.1:3260
F=/mnt/ferry
JH=${INITVM_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
STOP=/tmp/ferry-stop
LOG=/tmp/ferry.log
MB=4
fail() {
    echo "SCENARIO-FAIL: $*"
    [ -f $LOG ] && tail -60 $LOG
    dmesg | tail -20
    touch $STOP
    exit 1
}

# "sgN sdX" of the local disk whose INQUIRY vendor is $1
local_disk() {
    for s in /sys/class/scsi_generic/sg*; do
        [ "$(tr -d ' ' < "$s/device/vendor")" = "$1" ] || continue
        echo "/dev/${s##*/} /dev/$(ls "$s/device/block")"
        return 0
    done
    return 1
}

# The /dev/sdX of LUN $1 of the iSCSI session, waiting up to 60 s
iscsi_disk() {
    i=0
    while [ $i -lt 120 ]; do
        for b in /sys/class/iscsi_session/session*/device/target*/*:*:*:"$1"/block/*; do
            [ -e "$b" ] && [ "$(cat "$b/size")" -gt 0 ] && { echo "/dev/${b##*/}"; return 0; }
        done
        sleep 0.5
        i=$((i + 1))
    done
    return 1
}

trimmed() { sed 's/^ *//; s/ *$//' "$@"; }

# FERRY-IT <label> vendor= model= rev= serial= size= : what the kernel sees (INQUIRY, VPD 80h, capacity)
describe() {
    d=/sys/block/${2#/dev/}/device
    serial=$(tail -c +5 "$d/vpd_pg80" | tr -d '\0' | trimmed)
    echo "FERRY-IT $1 vendor=$(trimmed "$d/vendor") model=$(trimmed "$d/model") rev=$(trimmed "$d/rev")" \
        "serial=$serial size=$(blockdev --getsize64 "$2")"
}

# Writes $MB MiB of random data through iSCSI disk $2 at 8 MiB, reads it back there and from local disk $3
round_trip() {
    written=$(sha256sum < /tmp/data | cut -d' ' -f1)
    dd if=/tmp/data of="$2" bs=1M seek=8 count=$MB oflag=direct conv=fsync 2>/dev/null || fail "write to $2 failed"
    back=$(dd if="$2" bs=1M skip=8 count=$MB iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)
    direct=$(dd if="$3" bs=1M skip=8 count=$MB iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)
    echo "FERRY-IT data $1 written=$written iscsi=$back local=$direct"
}

disk=$(local_disk INITVM) || fail "no emulated SCSI disk"
set -- $disk
SCSI_SG=$1 SCSI_LOCAL=$2
disk=$(local_disk ATA) || fail "no emulated ATA disk"
set -- $disk
ATA_SG=$1 ATA_LOCAL=$2
describe local-scsi "$SCSI_LOCAL"
describe local-ata "$ATA_LOCAL"

echo "starting Ferry on $SCSI_SG (scsi) and $ATA_SG (ata)"
"$JH/bin/java" -XX:TieredStopAtLevel=1 -Xshare:auto -Djna.tmpdir=/tmp -cp "$(cat $F/classpath)" \
    dev.ferry.it.PassthroughTargetGuestMain "$SCSI_SG" "$ATA_SG" $STOP > $LOG 2>&1 &
JAVA=$!
i=0
until grep -q "FERRY-GUEST ready" $LOG; do
    kill -0 $JAVA 2>/dev/null || fail "Ferry exited before it was ready"
    [ $i -lt 600 ] || fail "Ferry not ready after 300 s"
    sleep 0.5
    i=$((i + 1))
done
grep "FERRY-GUEST ready" $LOG

iscsid || fail "iscsid did not start"
sleep 0.5
iscsiadm -m discovery -t st -p $PORTAL || fail "discovery failed"
iscsiadm -m node -T $IQN -p $PORTAL --login || fail "login failed"
SCSI_ISCSI=$(iscsi_disk 0) || fail "LUN 0 did not appear"
ATA_ISCSI=$(iscsi_disk 1) || fail "LUN 1 did not appear"
describe iscsi-scsi "$SCSI_ISCSI"
describe iscsi-ata "$ATA_ISCSI"

dd if=/dev/urandom of=/tmp/data bs=1M count=$MB 2>/dev/null
round_trip scsi "$SCSI_ISCSI" "$SCSI_LOCAL"
round_trip ata "$ATA_ISCSI" "$ATA_LOCAL"

iscsiadm -m node -T $IQN -p $PORTAL --logout || fail "logout failed"
touch $STOP
wait $JAVA || fail "Ferry exited with status $?"
grep "FERRY-GUEST stopped" $LOG || fail "Ferry did not stop cleanly"
echo INITVM-SCENARIO-PASS
