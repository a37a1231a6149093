#!/bin/sh
# Runs inside the initiator VM: finds the emulated SCSI (vendor INITVM) and ATA (vendor ATA) disks by their
# sg nodes and runs PassthroughGuestMain on them with the 9p-shared host JDK and the staged class path.
fail() { echo "SCENARIO-FAIL: $*"; exit 1; }
sg_of_vendor() {
    for s in /sys/class/scsi_generic/sg*; do
        [ "$(cat "$s/device/vendor" | tr -d ' ')" = "$1" ] && { echo "/dev/${s##*/}"; return 0; }
    done
    return 1
}
SCSI=$(sg_of_vendor INITVM) || fail "no scsi-hd sg device"
ATA=$(sg_of_vendor ATA) || fail "no ATA sg device"
echo "scsi=$SCSI ata=$ATA"
JH=${INITVM_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
F=/mnt/ferry
"$JH/bin/java" -XX:TieredStopAtLevel=1 -Xshare:auto -Djna.tmpdir=/tmp -cp "$(cat $F/classpath)" \
    dev.ferry.backend.ata.PassthroughGuestMain "$SCSI" "$ATA" || fail "java failed"
echo INITVM-SCENARIO-PASS
