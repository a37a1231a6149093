#!/bin/sh
# reservations-scenario.sh - runs INSIDE the initiator VM (busybox sh): one Ferry backstore is both an NVMe/TCP
# namespace (kernel nvme-tcp, nvme-cli) and an iSCSI LUN (open-iscsi, sg3_utils); a reservation taken through one
# protocol is seen and obeyed through the other.
#   scenario IQN NQN   (the host forwards 10.0.2.100:3260 to Ferry's iSCSI portal, :4420 to its NVMe/TCP port)
IQN=$1 NQN=$2 ADDR=10.0.2.100
PORTAL=$ADDR:3260
NKEY=0xaa SKEY=0xbb

t0=$(cut -d' ' -f1 /proc/uptime)
step() { echo "=== [$(awk -v a="$t0" '{printf "%.1f", $1-a}' /proc/uptime)s] $*"; }
fail() { echo "SCENARIO-FAIL: $*"; dmesg | tail -30; exit 1; }
# expect WHAT PATTERN OUTPUT: the output (shown) must contain the extended regular expression
expect() { echo "$3" | sed 's/^/    /'; echo "$3" | grep -Eqi "$2" || fail "$1: no /$2/"; echo "FERRY-IT ok $1"; }

step "NVMe/TCP connect $NQN"
modprobe nvme-tcp || fail "nvme-tcp"
nvme connect -t tcp -a $ADDR -s 4420 -n "$NQN" || fail "nvme connect"
NS=""
i=0
while [ $i -lt 120 ] && [ -z "$NS" ]; do
    for b in /sys/block/nvme*n*; do
        case "$b" in */nvme*c*n*) continue ;; esac
        [ "$(cat "$b/device/subsysnqn" 2>/dev/null)" = "$NQN" ] && [ -b "/dev/${b##*/}" ] && NS=/dev/${b##*/}
    done
    [ -n "$NS" ] || { sleep 0.5; i=$((i+1)); }
done
[ -n "$NS" ] || fail "no namespace of $NQN"
step "namespace $NS"
# ONCS bit 5 (Reservations); the other bits follow other features (Copy, bit 8), so only this one is checked
ONCS=$(nvme id-ctrl "$NS" | grep -i '^oncs' | sed 's/.*: *//')
echo "    oncs      : $ONCS"
[ $((ONCS & 0x20)) -ne 0 ] || fail "ONCS reservations bit 5 not set in $ONCS"
echo "FERRY-IT ok ONCS reservations bit"
expect "RESCAP" 'rescap +: 0xfe' "$(nvme id-ns "$NS" | grep -i '^rescap')"

step "iSCSI login $IQN"
iscsid || fail "iscsid"
sleep 0.5
iscsiadm -m discovery -t sendtargets -p "$PORTAL" >/dev/null || fail "discovery"
# the discovery answer names Ferry's own portal address: the node record is made for the forwarded one
iscsiadm -m node -o delete >/dev/null 2>&1
iscsiadm -m node -o new -T "$IQN" -p "$PORTAL" >/dev/null || fail "node record"
iscsiadm -m node -T "$IQN" -p "$PORTAL" --login || fail "login"
SD=""
i=0
while [ $i -lt 120 ] && [ -z "$SD" ]; do
    for b in /sys/class/iscsi_session/session*/device/target*/*:*:*:*/block/*; do
        [ -b "/dev/${b##*/}" ] && SD=/dev/${b##*/}
    done
    [ -n "$SD" ] || { sleep 0.5; i=$((i+1)); }
done
[ -n "$SD" ] || fail "no iSCSI disk"
step "iSCSI disk $SD"

step "NVMe registers $NKEY and takes Write Exclusive"
nvme resv-register "$NS" --nrkey=$NKEY --rrega=0 || fail "resv-register"
nvme resv-acquire "$NS" --crkey=$NKEY --rtype=1 --racqa=0 || fail "resv-acquire"
expect "nvme resv-report: Write Exclusive" 'rtype +: 1' "$(nvme resv-report "$NS" --eds 2>&1)"

step "SCSI sees the NVMe reservation"
expect "sg_persist read-reservation shows the NVMe key" 'key=0xaa' "$(sg_persist --in --read-reservation "$SD" 2>&1)"
expect "sg_persist read-reservation type" 'Write Exclusive' "$(sg_persist --in --read-reservation "$SD" 2>&1)"
expect "sg_persist read-full-status names the NVMe host" "$(cat /etc/nvme/hostnqn)" \
    "$(sg_persist --in --read-full-status "$SD" 2>&1)"

step "SCSI writes conflict, reads pass"
out=$(sg_dd if=/dev/zero of="$SD" bs=512 count=1 blk_sgio=1 2>&1) && fail "an iSCSI write passed a Write Exclusive reservation: $out"
expect "sg_dd write refused" 'reservation conflict' "$out"
sg_dd if="$SD" of=/dev/null bs=512 count=1 blk_sgio=1 || fail "an iSCSI read was refused under Write Exclusive"
echo "FERRY-IT ok iSCSI read passes"

step "SCSI registers $SKEY; NVMe sees two registrants, releases"
sg_persist --out --register --param-sark=$SKEY "$SD" || fail "sg_persist register"
expect "sg_persist read-keys" '0xbb' "$(sg_persist --in --read-keys "$SD" 2>&1)"
expect "nvme resv-report: two registrants" 'regctl +: 2' "$(nvme resv-report "$NS" --eds 2>&1)"
nvme resv-release "$NS" --crkey=$NKEY --rtype=1 --rrela=0 || fail "resv-release"

step "SCSI takes Exclusive Access; NVMe sees it and is refused"
sg_persist --out --reserve --param-rk=$SKEY --prout-type=3 "$SD" || fail "sg_persist reserve"
expect "nvme resv-report: Exclusive Access held by the SCSI registrant" 'rtype +: 2' \
    "$(nvme resv-report "$NS" --eds 2>&1)"
out=$(nvme read "$NS" --start-block=0 --block-count=0 --data-size=512 --data=/tmp/block 2>&1) \
    && fail "an NVMe read passed Exclusive Access: $out"
expect "nvme read refused" 'conflict' "$out"
# a registrant is refused too under Exclusive Access (not a registrants type): the NVMe host preempts instead
step "NVMe preempts the SCSI holder"
nvme resv-acquire "$NS" --crkey=$NKEY --prkey=$SKEY --rtype=1 --racqa=1 || fail "resv-acquire preempt"
expect "nvme resv-report after preempt" 'regctl +: 1' "$(nvme resv-report "$NS" --eds 2>&1)"
sg_turs "$SD" >/dev/null 2>&1 # takes the REGISTRATIONS PREEMPTED unit attention
out=$(sg_persist --in --read-keys "$SD" 2>&1)
expect "sg_persist read-keys: the SCSI key is gone" '0xaa' "$out"
echo "$out" | grep -qi '0xbb' && fail "the preempted SCSI key is still registered"
head -c 512 /dev/zero > /tmp/block
nvme write "$NS" --start-block=0 --block-count=0 --data-size=512 --data=/tmp/block || fail "the NVMe holder cannot write"
echo "FERRY-IT ok NVMe holder writes"
out=$(sg_dd if=/dev/zero of="$SD" bs=512 count=1 blk_sgio=1 2>&1) && fail "the preempted SCSI initiator wrote: $out"
expect "sg_dd write refused after the preemption" 'reservation conflict' "$out"

step "clean up"
nvme resv-release "$NS" --crkey=$NKEY --rrela=1 || fail "resv-release clear"
expect "nothing registered" 'regctl +: 0' "$(nvme resv-report "$NS" --eds 2>&1)"
iscsiadm -m node -T "$IQN" -p "$PORTAL" --logout || fail "logout"
nvme disconnect -n "$NQN" || fail "nvme disconnect"
echo "INITVM-SCENARIO-PASS"
