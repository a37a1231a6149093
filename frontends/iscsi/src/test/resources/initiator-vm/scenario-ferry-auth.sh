#!/bin/sh
# Runs INSIDE the initiator VM (busybox sh) against Ferry's iSCSI target, one boot for four checks:
#   digests  HeaderDigest=CRC32C and DataDigest=CRC32C negotiated, I/O verified
#   chap     one-way CHAP (MD5) login with I/O; the same target with a wrong secret is refused
#   mutual   mutual CHAP (SHA3-256) login with I/O; an initiator expecting another target secret refuses the target
#   acl      a target whose ACL omits us is neither discovered nor logged in to; an initiator outside every ACL
#            discovers nothing and is refused
# Prints "FERRY-CHECK <name> ok" per check, then INITVM-SCENARIO-PASS. Settings (run-guest.sh --env):
#   FERRY_PORTAL, FERRY_PLAIN_IQN, FERRY_CHAP_IQN, FERRY_MUTUAL_IQN, FERRY_DENIED_IQN, FERRY_INTRUDER_IQN,
#   FERRY_CHAP_USER, FERRY_CHAP_PASS, FERRY_MUTUAL_USER, FERRY_MUTUAL_PASS
P=${FERRY_PORTAL:-10.0.2.100:3260}
t0=$(cut -d' ' -f1 /proc/uptime)
step() { echo "=== [$(awk -v a="$t0" '{printf "%.1f", $1-a}' /proc/uptime)s] $*"; }
fail() { echo "SCENARIO-FAIL: $*"; dmesg | tail -20; exit 1; }
ok() { echo "FERRY-CHECK $1 ok"; }

set_key() { iscsiadm -m node -T "$1" -p "$P" -o update -n "$2" -v "$3" >/dev/null || fail "cannot set $2 on $1"; }
new_node() { iscsiadm -m node -T "$1" -p "$P" -o new >/dev/null || fail "cannot create the node record for $1"; }
login() { iscsiadm -m node -T "$1" -p "$P" --login; }
logout() { iscsiadm -m node -T "$1" -p "$P" --logout >/dev/null || fail "logout from $1 failed"; }
no_session() { iscsiadm -m session 2>/dev/null | grep -q " $1\$" && fail "a session to $1 exists"; return 0; }

# The block device of the session to $1, waiting up to 60 s.
find_disk() {
    i=0
    while [ $i -lt 120 ]; do
        for s in /sys/class/iscsi_session/session*; do
            [ "$(cat "$s/targetname" 2>/dev/null)" = "$1" ] || continue
            for b in "$s"/device/target*/*:*:*:*/block/*; do
                [ -e "$b" ] && [ "$(cat "$b/size")" -gt 0 ] && { echo "/dev/$(basename "$b")"; return 0; }
            done
        done
        sleep 0.5; i=$((i+1))
    done
    return 1
}

# Writes 4 MiB of random data at 1 MiB into the target's disk and reads it back past the page cache.
io_check() {
    dev=$(find_disk "$1") || fail "no disk appeared for $1"
    dd if=/dev/urandom of=/tmp/pattern bs=1M count=4 2>/dev/null
    dd if=/tmp/pattern of="$dev" bs=1M seek=1 conv=fsync 2>/dev/null || fail "write to $dev failed"
    echo 3 > /proc/sys/vm/drop_caches
    want=$(sha256sum < /tmp/pattern)
    got=$(dd if="$dev" bs=1M skip=1 count=4 2>/dev/null | sha256sum)
    [ "$want" = "$got" ] || fail "data read back from $1 differs"
    step "I/O verified on $dev ($1)"
}

step "starting iscsid"
iscsid || fail "iscsid did not start"
sleep 0.5

step "discovery as $(cat /etc/iscsi/initiatorname.iscsi)"
out=$(iscsiadm -m discovery -t sendtargets -p "$P") || fail "discovery failed"
echo "$out"
for t in "$FERRY_PLAIN_IQN" "$FERRY_CHAP_IQN" "$FERRY_MUTUAL_IQN"; do
    echo "$out" | awk '{print $2}' | grep -qx "$t" || fail "$t missing from discovery"
done
echo "$out" | grep -q "$FERRY_DENIED_IQN" && fail "$FERRY_DENIED_IQN is discovered though its ACL omits us"
# The advertised portal (host loopback) is unreachable from the guest: use ours.
iscsiadm -m node -o delete >/dev/null 2>&1

step "digests: CRC32C on $FERRY_PLAIN_IQN"
new_node "$FERRY_PLAIN_IQN"
set_key "$FERRY_PLAIN_IQN" 'node.conn[0].iscsi.HeaderDigest' CRC32C
set_key "$FERRY_PLAIN_IQN" 'node.conn[0].iscsi.DataDigest' CRC32C
login "$FERRY_PLAIN_IQN" || fail "login with digests failed"
iscsiadm -m session -P 2 | grep -E 'Target:|HeaderDigest|DataDigest' | sed 's/^[[:space:]]*/  /'
iscsiadm -m session -P 2 | grep -q 'HeaderDigest: CRC32C' || fail "HeaderDigest is not CRC32C"
iscsiadm -m session -P 2 | grep -q 'DataDigest: CRC32C' || fail "DataDigest is not CRC32C"
io_check "$FERRY_PLAIN_IQN"
logout "$FERRY_PLAIN_IQN"
ok digests

step "one-way CHAP (MD5) to $FERRY_CHAP_IQN"
new_node "$FERRY_CHAP_IQN"
set_key "$FERRY_CHAP_IQN" node.session.auth.authmethod CHAP
set_key "$FERRY_CHAP_IQN" node.session.auth.chap_algs MD5
set_key "$FERRY_CHAP_IQN" node.session.auth.username "$FERRY_CHAP_USER"
set_key "$FERRY_CHAP_IQN" node.session.auth.password "$FERRY_CHAP_PASS"
login "$FERRY_CHAP_IQN" || fail "CHAP login failed"
io_check "$FERRY_CHAP_IQN"
logout "$FERRY_CHAP_IQN"
step "one-way CHAP with a wrong secret must be refused"
set_key "$FERRY_CHAP_IQN" node.session.auth.password "wrong-${FERRY_CHAP_PASS}"
login "$FERRY_CHAP_IQN" && fail "login with a wrong CHAP secret succeeded"
no_session "$FERRY_CHAP_IQN"
ok chap

step "mutual CHAP (SHA3-256 preferred) to $FERRY_MUTUAL_IQN"
new_node "$FERRY_MUTUAL_IQN"
set_key "$FERRY_MUTUAL_IQN" node.session.auth.authmethod CHAP
set_key "$FERRY_MUTUAL_IQN" node.session.auth.chap_algs SHA3-256,SHA256,SHA1,MD5
set_key "$FERRY_MUTUAL_IQN" node.session.auth.username "$FERRY_CHAP_USER"
set_key "$FERRY_MUTUAL_IQN" node.session.auth.password "$FERRY_CHAP_PASS"
set_key "$FERRY_MUTUAL_IQN" node.session.auth.username_in "$FERRY_MUTUAL_USER"
set_key "$FERRY_MUTUAL_IQN" node.session.auth.password_in "$FERRY_MUTUAL_PASS"
login "$FERRY_MUTUAL_IQN" || fail "mutual CHAP login failed"
io_check "$FERRY_MUTUAL_IQN"
logout "$FERRY_MUTUAL_IQN"
step "mutual CHAP expecting another target secret: the initiator must refuse the target"
set_key "$FERRY_MUTUAL_IQN" node.session.auth.password_in "other-${FERRY_MUTUAL_PASS}"
login "$FERRY_MUTUAL_IQN" && fail "the initiator accepted a target that proved a different secret"
no_session "$FERRY_MUTUAL_IQN"
ok mutual

step "ACL: $FERRY_DENIED_IQN does not list us"
new_node "$FERRY_DENIED_IQN"
login "$FERRY_DENIED_IQN" && fail "login to $FERRY_DENIED_IQN succeeded"
no_session "$FERRY_DENIED_IQN"
step "ACL: as $FERRY_INTRUDER_IQN, listed nowhere"
iscsiadm -k 0 >/dev/null 2>&1
sleep 0.5
iscsiadm -m node -o delete >/dev/null 2>&1
echo "InitiatorName=$FERRY_INTRUDER_IQN" > /etc/iscsi/initiatorname.iscsi
iscsid || fail "iscsid did not restart"
sleep 0.5
out=$(iscsiadm -m discovery -t sendtargets -p "$P" 2>&1)
echo "$out"
for t in "$FERRY_PLAIN_IQN" "$FERRY_CHAP_IQN" "$FERRY_MUTUAL_IQN" "$FERRY_DENIED_IQN"; do
    echo "$out" | grep -q "$t" && fail "an initiator outside every ACL discovered $t"
done
new_node "$FERRY_PLAIN_IQN"
login "$FERRY_PLAIN_IQN" && fail "an initiator outside the ACL logged in"
no_session "$FERRY_PLAIN_IQN"
ok acl

step "all checks passed"
echo INITVM-SCENARIO-PASS
