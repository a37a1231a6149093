#!/bin/sh
# scenario-nvme-dhchap.sh - runs INSIDE the initiator-vm guest (busybox sh), driven by LinuxInitiatorDhchapTest.
# Debian 12's kernel (6.1) is built without CONFIG_NVME_AUTH, so it cannot run DH-HMAC-CHAP: this shows the other
# half against the real kernel host. A subsystem whose ACL gives this host a secret refuses it (Connect sets
# AUTHREQ.ATR, the kernel cannot authenticate, no controller and no namespace appear), while a subsystem without
# a secret on the same target serves it.
#
# Usage: scenario-nvme-dhchap.sh AUTH_NQN OPEN_NQN ADDR PORT
AUTH=$1 OPEN=$2 ADDR=$3 PORT=$4

fail() { echo "SCENARIO-FAIL: $*"; dmesg | tail -30; exit 1; }
controllers_of() {
    for c in /sys/class/nvme/nvme*; do
        [ "$(cat "$c/subsysnqn" 2>/dev/null)" = "$1" ] && echo "${c##*/}"
    done
}

if nvme connect -t tcp -a "$ADDR" -s "$PORT" -n "$AUTH"; then
    fail "connected to $AUTH without authenticating"
fi
sleep 1
[ -z "$(controllers_of "$AUTH")" ] || fail "a controller of $AUTH remains: $(controllers_of "$AUTH")"
dmesg | grep -i -e "auth" -e "$AUTH" | tail -5
echo FERRY-UNAUTHENTICATED-REFUSED-OK

nvme connect -t tcp -a "$ADDR" -s "$PORT" -n "$OPEN" || fail "nvme connect $OPEN"
i=0
while [ -z "$(controllers_of "$OPEN")" ] && [ $i -lt 60 ]; do sleep 0.5; i=$((i+1)); done
CTRL=$(controllers_of "$OPEN")
[ -n "$CTRL" ] || fail "no controller for $OPEN"
i=0
while [ ! -b "/dev/${CTRL}n1" ] && [ $i -lt 60 ]; do sleep 0.5; i=$((i+1)); done
[ -b "/dev/${CTRL}n1" ] || fail "no namespace for $OPEN"
dd if="/dev/${CTRL}n1" of=/dev/null bs=4096 count=16 2>/dev/null || fail "read from $OPEN"
nvme disconnect -n "$OPEN" >/dev/null || fail "disconnect $OPEN"
echo FERRY-OPEN-OK
echo INITVM-SCENARIO-PASS
