#!/bin/sh
# Runs inside the initiator VM booted with INITVM_RDMA=1 (rxe0 on eth0): starts Ferry (RdmaGuestMain, the host's
# JDK over 9p) with an NVMe subsystem on rdma://10.0.2.15:4420, then drives it with the kernel's nvme-rdma
# initiator: discover, connect, identify, mkfs, mount, write, verify, disconnect, reconnect, verify, disconnect;
# then stops Ferry and checks it freed every queue pair. Lines for the test start with FERRY-GUEST.
NQN=${INITVM_NVME_NQN:-nqn.2024-01.dev.ferry:rdma-guest}
IP=10.0.2.15 PORT=4420 SIZE_MB=64
JH=${INITVM_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
F=/mnt/ferry MNT=/mnt/nvme-rdma STOP=/tmp/ferry-stop LOG=/tmp/ferry.log

t0=$(cut -d' ' -f1 /proc/uptime)
el() { awk -v a="$1" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN{printf "%.1f", b-a}'; }
step() { echo "=== [$(el "$t0")s] $*"; }
fail() { echo "SCENARIO-FAIL: $*"; echo "--- ferry log:"; cat $LOG; dmesg | tail -30; exit 1; }

[ -e /sys/class/infiniband/rxe0 ] || fail "no rxe0: boot with --env INITVM_RDMA=1"
step "starting Ferry on rdma://$IP:$PORT"
"$JH/bin/java" -XX:TieredStopAtLevel=1 -Xshare:auto -Djna.tmpdir=/tmp -cp "$(cat $F/classpath)" \
    dev.ferry.frontend.nvmerdma.RdmaGuestMain "$NQN" "$IP" "$PORT" "${SIZE_MB}M" "$STOP" > $LOG 2>&1 &
JPID=$!
n=0
until grep -q "FERRY-GUEST listening" $LOG; do
    kill -0 $JPID 2>/dev/null || fail "Ferry exited before listening"
    [ $n -lt 1200 ] || fail "Ferry not listening after 120 s"
    sleep 0.1; n=$((n+1))
done
grep "FERRY-GUEST" $LOG
rdma resource show cm_id | grep LISTEN | grep -q ":$PORT" || fail "no RDMA CM listener on :$PORT"
echo "FERRY-GUEST cm_id listening on :$PORT"

step "nvme discover -t rdma -a $IP -s $PORT"
out=$(nvme discover -t rdma -a "$IP" -s "$PORT") || fail "discovery failed"
echo "$out"
echo "$out" | grep -q "trtype: *rdma" || fail "discovery entry is not trtype rdma"
echo "$out" | grep -q "subnqn: *$NQN\$" || fail "$NQN not in the discovery log"
echo "$out" | grep -q "rdma_prtype: *not specified" || fail "discovery TSAS: rdma_prtype"
echo "$out" | grep -q "rdma_qptype: *connected" || fail "discovery TSAS: rdma_qptype"
echo "$out" | grep -q "rdma_cms: *rdma-cm" || fail "discovery TSAS: rdma_cms"
echo "$out" | grep -q "trtype: *tcp" && fail "discovery over RDMA lists the TCP port too"
echo "FERRY-GUEST discovery trtype=rdma subnqn=$NQN tsas=connected/not-specified/rdma-cm"

find_ns() {
    i=0
    while [ $i -lt 120 ]; do
        for b in /sys/block/nvme*n*; do
            case "$b" in */nvme*c*n*) continue ;; esac
            [ -b "/dev/${b##*/}" ] || continue
            [ "$(cat "$b/device/subsysnqn" 2>/dev/null)" = "$NQN" ] || continue
            [ "$(cat "$b/size")" -gt 0 ] && { echo "/dev/${b##*/}"; return 0; }
        done
        sleep 0.5; i=$((i+1))
    done
    return 1
}
connect() {
    t=$(cut -d' ' -f1 /proc/uptime)
    nvme connect -t rdma -a "$IP" -s "$PORT" -n "$NQN" || fail "nvme connect -t rdma failed"
    NS=$(find_ns) || fail "no namespace of $NQN appeared"
    CTRL=$(for c in /sys/class/nvme/nvme*; do [ "$(cat $c/subsysnqn)" = "$NQN" ] && basename $c; done | head -1)
    step "connected in $(el "$t")s: $NS, $CTRL, transport $(cat /sys/class/nvme/$CTRL/transport), $(cat /sys/class/nvme/$CTRL/queue_count) queues"
    [ "$(cat /sys/class/nvme/$CTRL/transport)" = rdma ] || fail "controller transport is not rdma"
}
disconnect() {
    nvme disconnect -n "$NQN" || fail "nvme disconnect failed"
    step "disconnected"
}

step "nvme connect -t rdma"
connect
rdma resource show qp | grep -c . | sed 's/^/RC QPs (both sides): /'
nvme id-ctrl "/dev/$CTRL" > /tmp/idctrl || fail "id-ctrl"
grep -E "^(mn|subnqn|ioccsz|msdbd|mdts) " /tmp/idctrl
grep -q "^subnqn *: *$NQN" /tmp/idctrl || fail "id-ctrl subnqn"
ioccsz=$(awk '$1=="ioccsz"{print $3}' /tmp/idctrl)
[ "$ioccsz" = 516 ] || fail "id-ctrl ioccsz $ioccsz, expected 516 (8 KiB in-capsule data)"
nvme id-ns "$NS" > /tmp/idns || fail "id-ns"
nsze=$(awk '$1=="nsze"{print $3}' /tmp/idns)
sectors=$(cat /sys/class/block/${NS#/dev/}/size)
echo "FERRY-GUEST identify subnqn=$NQN ioccsz=$ioccsz nsze=$nsze size=$((sectors * 512))"
[ $((sectors * 512)) = $((SIZE_MB * 1048576)) ] || fail "namespace size $((sectors * 512))"

step "mkfs.ext4, write, checksum"
mkfs.ext4 -F -q "$NS" || fail "mkfs"
mkdir -p $MNT
mount -t ext4 "$NS" $MNT || fail "mount"
t=$(cut -d' ' -f1 /proc/uptime)
for i in 1 2 3; do
    dd if=/dev/urandom of=$MNT/file$i bs=1M count=2 2>/dev/null || fail "write file$i"
done
dd if=/dev/urandom of=$MNT/small bs=3000 count=1 2>/dev/null || fail "write small"
sync
echo "FERRY-GUEST write+sync 6 MiB in $(el "$t") s"
(cd $MNT && sha256sum file1 file2 file3 small) > /tmp/sums || fail "sha256"
umount $MNT || fail "umount"
disconnect

step "connect again, verify"
connect
e2fsck -fn "$NS" > /tmp/fsck 2>&1 || { cat /tmp/fsck; fail "e2fsck found problems"; }
echo 3 > /proc/sys/vm/drop_caches
mount -t ext4 "$NS" $MNT || fail "remount"
(cd $MNT && sha256sum -c /tmp/sums) || fail "checksums differ after reconnect"
echo "FERRY-GUEST verified after reconnect: e2fsck clean, 4 checksums match"
umount $MNT || fail "umount after verify"
disconnect

step "stopping Ferry"
touch $STOP
wait $JPID; rc=$?
grep "FERRY-GUEST" $LOG | tail -1
[ $rc = 0 ] || fail "Ferry exited with $rc"
grep -q "FERRY-GUEST stopped .*connections-left=0" $LOG || fail "Ferry left connections behind"
left=$(rdma resource show cm_id | grep -c . )
rdma resource show cm_id
[ "$left" = 0 ] || fail "$left RDMA CM ids left after Ferry exited"
echo "FERRY-GUEST exited cleanly rc=0 cm_ids-left=0"
grep -iE "WARN|ERROR|Exception" $LOG | head -20
step "done"
echo INITVM-SCENARIO-PASS
