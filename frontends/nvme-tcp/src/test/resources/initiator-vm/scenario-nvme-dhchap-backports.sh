#!/bin/sh
# scenario-nvme-dhchap-backports.sh - runs INSIDE the initiator-vm guest booted with Debian's bookworm-backports
# kernel (6.12, CONFIG_NVME_HOST_AUTH=y), driven by LinuxInitiatorDhchapBackportsTest. The real kernel host
# authenticates to Ferry with DH-HMAC-CHAP (nvme connect --dhchap-secret / --dhchap-ctrl-secret):
#  1. right secret: connects, writes and reads back data, disconnects
#  2. wrong secret: no controller
#  3. bidirectional: right controller secret connects; a wrong one makes the host refuse the controller
#  4. re-authentication: after the target's ACL secret changed (the test applies it when it sees
#     /mnt/sync/ready and answers with /mnt/sync/applied), writing the new secret to sysfs re-authenticates
#     the live controller (same cntlid, I/O works); the old secret written again fails re-authentication.
# Secrets come in the environment: FERRY_KEY (SHA-256), FERRY_WRONG_KEY, FERRY_BIDI_KEY and FERRY_CTRL_KEY
# (SHA-512), FERRY_WRONG_CTRL_KEY, FERRY_NEW_KEY.
#
# Usage: scenario-nvme-dhchap-backports.sh AUTH_NQN BIDI_NQN ADDR PORT
AUTH=$1 BIDI=$2 ADDR=$3 PORT=$4

fail() { echo "SCENARIO-FAIL: $*"; dmesg | tail -40; exit 1; }
controllers_of() {
    for c in /sys/class/nvme/nvme*; do
        [ "$(cat "$c/subsysnqn" 2>/dev/null)" = "$1" ] && echo "${c##*/}"
    done
}
wait_namespace() {   # wait_namespace NQN: prints the controller once its namespace is there
    i=0
    while [ -z "$(controllers_of "$1")" ] && [ $i -lt 60 ]; do sleep 0.5; i=$((i+1)); done
    c=$(controllers_of "$1")
    [ -n "$c" ] || fail "no controller for $1"
    i=0
    while [ ! -b "/dev/${c}n1" ] && [ $i -lt 60 ]; do sleep 0.5; i=$((i+1)); done
    [ -b "/dev/${c}n1" ] || fail "no namespace for $1"
    echo "$c"
}
none_of() {   # none_of NQN WHAT: no controller of NQN is left
    sleep 1
    [ -z "$(controllers_of "$1")" ] || fail "$2: a controller of $1 remains: $(controllers_of "$1")"
}
mark() { echo "FERRY-MARK-$1" > /dev/kmsg; }
auth_log() {   # the kernel's DH-HMAC-CHAP messages since mark $1
    dmesg | sed -n "/FERRY-MARK-$1/,\$p" | grep -i -e 'auth' -e 'dh group' -e 'hash' -e 'dhchap' | grep -v FERRY-MARK
}
uname -r
# the host logs the negotiated hash and DH group at debug level
echo 'file drivers/nvme/host/auth.c +p' > /proc/dynamic_debug/control 2>/dev/null \
    || echo "note: no dynamic debug control, the negotiated group is not logged"

# 1. right secret: connect, write + read back, disconnect
mark 1
nvme connect -t tcp -a "$ADDR" -s "$PORT" -n "$AUTH" --dhchap-secret "$FERRY_KEY" || fail "connect $AUTH with the right secret"
CTRL=$(wait_namespace "$AUTH") || exit 1
DEV=/dev/${CTRL}n1
dd if=/dev/urandom of=/tmp/data bs=65536 count=16 2>/dev/null
dd if=/tmp/data of="$DEV" bs=65536 oflag=direct 2>/dev/null || fail "write to $DEV"
dd if="$DEV" of=/tmp/back bs=65536 count=16 iflag=direct 2>/dev/null || fail "read from $DEV"
cmp /tmp/data /tmp/back || fail "read back differs from what was written"
auth_log 1
nvme disconnect -n "$AUTH" >/dev/null || fail "disconnect $AUTH"
echo FERRY-DHCHAP-RIGHT-OK

# 2. wrong secret
mark 2
if nvme connect -t tcp -a "$ADDR" -s "$PORT" -n "$AUTH" --dhchap-secret "$FERRY_WRONG_KEY"; then
    fail "connected to $AUTH with a wrong secret"
fi
none_of "$AUTH" "wrong secret"
auth_log 2
echo FERRY-DHCHAP-WRONG-REFUSED-OK

# 3. bidirectional: right controller secret, then a wrong one
mark 3
nvme connect -t tcp -a "$ADDR" -s "$PORT" -n "$BIDI" --dhchap-secret "$FERRY_BIDI_KEY" \
    --dhchap-ctrl-secret "$FERRY_CTRL_KEY" || fail "bidirectional connect $BIDI"
BCTRL=$(wait_namespace "$BIDI") || exit 1
dd if="/dev/${BCTRL}n1" of=/dev/null bs=65536 count=4 iflag=direct 2>/dev/null || fail "read from $BIDI"
auth_log 3
nvme disconnect -n "$BIDI" >/dev/null || fail "disconnect $BIDI"
echo FERRY-DHCHAP-BIDI-OK
mark 4
if nvme connect -t tcp -a "$ADDR" -s "$PORT" -n "$BIDI" --dhchap-secret "$FERRY_BIDI_KEY" \
    --dhchap-ctrl-secret "$FERRY_WRONG_CTRL_KEY"; then
    fail "the host accepted a controller with a wrong controller secret"
fi
none_of "$BIDI" "wrong controller secret"
auth_log 4
echo FERRY-DHCHAP-BIDI-WRONG-CTRL-REFUSED-OK

# 4. re-authentication after the target's secret changed
nvme connect -t tcp -a "$ADDR" -s "$PORT" -n "$AUTH" --dhchap-secret "$FERRY_KEY" || fail "connect $AUTH again"
CTRL=$(wait_namespace "$AUTH") || exit 1
CNTLID=$(cat "/sys/class/nvme/$CTRL/cntlid")
touch /mnt/sync/ready
i=0
while [ ! -e /mnt/sync/applied ] && [ $i -lt 240 ]; do sleep 0.5; i=$((i+1)); done
[ -e /mnt/sync/applied ] || fail "the test did not change the secret"
mark 5
echo "$FERRY_NEW_KEY" > "/sys/class/nvme/$CTRL/dhchap_secret" || fail "write dhchap_secret"
# re-authentication runs in a work item; wait for its outcome in the log
i=0
while ! auth_log 5 | grep -q -i -e 'authenticated' -e 'failed' && [ $i -lt 120 ]; do sleep 0.5; i=$((i+1)); done
auth_log 5
auth_log 5 | grep -q -i 'failed' && fail "re-authentication with the new secret failed"
[ "$(cat "/sys/class/nvme/$CTRL/state")" = live ] || fail "controller $CTRL is $(cat "/sys/class/nvme/$CTRL/state")"
[ "$(cat "/sys/class/nvme/$CTRL/cntlid")" = "$CNTLID" ] || fail "the controller was re-created instead of re-authenticated"
dd if="$DEV" of=/tmp/back2 bs=65536 count=16 iflag=direct 2>/dev/null || fail "read after re-authentication"
cmp /tmp/data /tmp/back2 || fail "read back after re-authentication differs"
echo FERRY-DHCHAP-REAUTH-OK
mark 6
echo "$FERRY_KEY" > "/sys/class/nvme/$CTRL/dhchap_secret" || fail "write old dhchap_secret"
i=0
while ! auth_log 6 | grep -q -i 'failed' && [ $i -lt 120 ]; do sleep 0.5; i=$((i+1)); done
auth_log 6
auth_log 6 | grep -q -i 'failed' || fail "re-authentication with the old secret did not fail"
nvme disconnect -n "$AUTH" >/dev/null 2>&1
none_of "$AUTH" "after disconnect"
echo FERRY-DHCHAP-REAUTH-OLD-REFUSED-OK
echo INITVM-SCENARIO-PASS
