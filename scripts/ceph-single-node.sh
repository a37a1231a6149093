#!/usr/bin/env bash
# A throw-away single-node Ceph cluster for tests and demos, from Debian 12's packages (16.2.x): one monitor, one
# manager and one memstore OSD on 127.0.0.1, pool size 1, an `rbd` pool. Everything lives in DIR: configuration,
# keyrings, data, logs, admin sockets and pid files; the daemons run as root without systemd.
#
#   ceph-single-node.sh start DIR [--no-cephx] [--owner PID]
#                                                prints CEPH_CONF=... and CEPH_KEYRING=... (sourceable), returns
#                                                when `rbd create` works; with --owner, the cluster stops by itself
#                                                once process PID is gone (a test JVM that crashed)
#   ceph-single-node.sh stop DIR                 kills this cluster's daemons and removes DIR
#
# It never touches another cluster: a fresh fsid, its own ceph.conf passed with -c to every command, monitor ports
# that were free, and /etc/ceph, /var/run/ceph, /var/lib/ceph and /var/log/ceph are never used.
set -euo pipefail

# A marker that DIR is ours, so `stop` removes only a directory `start` made.
MARKER=.ferry-ceph-single-node
# How long start waits for the cluster to serve I/O before it gives up (and tears down what it started).
START_TIMEOUT=${CEPH_START_TIMEOUT:-120}

die() { echo "ceph-single-node: $*" >&2; exit 1; }

usage() {
    echo "usage: $0 start DIR [--no-cephx] [--owner PID] | stop DIR" >&2
    exit 2
}

# A TCP port on 127.0.0.1 nothing listens on (the monitor binds it a moment later), below the kernel's ephemeral
# range: a port in that range can be taken meanwhile as the local port of any outgoing connection (or a bind to
# port 0), which made a start fail with "Address already in use" about once in ten.
free_port() {
    local p low high
    read -r low _ </proc/sys/net/ipv4/ip_local_port_range
    high=$((low > 21024 ? low - 1 : 50000))
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % (high - 20000)))
        if [[ -z $(ss -Htln "sport = :$p") ]]; then
            echo "$p"
            return
        fi
    done
    die "no free TCP port found"
}

# Runs a daemon in the foreground of its own session, logging to DIR/log, and records its pid.
spawn() {
    local name=$1
    shift
    setsid "$@" -f </dev/null >>"$DIR/log/$name.out" 2>&1 &
    echo $! >"$DIR/run/$name.pid"
}

ceph_cli() { timeout 60 ceph -c "$CONF" "$@"; }

write_conf() {
    local auth=$1 fsid=$2 v2=$3 v1=$4
    cat >"$CONF" <<EOF
[global]
fsid = $fsid
mon_host = [v2:127.0.0.1:$v2,v1:127.0.0.1:$v1]
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
auth_cluster_required = $auth
auth_service_required = $auth
auth_client_required = $auth
keyring = $DIR/keyring
run_dir = $DIR/run
admin_socket = $DIR/run/\$name.asok
pid_file = $DIR/run/\$name.daemon-pid
log_file = $DIR/log/\$name.log
crash_dir = $DIR/crash
mon_data = $DIR/mon/\$name
mgr_data = $DIR/mgr/\$name
osd_data = $DIR/osd/\$name
mon_cluster_log_file = $DIR/log/cluster.log
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_allow_pool_delete = true
mon_warn_on_pool_no_redundancy = false
mon_data_avail_warn = 2
mon_data_avail_crit = 1
auth_allow_insecure_global_id_reclaim = false
mon_warn_on_insecure_global_id_reclaim_allowed = false

[osd]
osd_objectstore = memstore
memstore_device_bytes = 2147483648
osd_max_object_name_len = 256
osd_max_object_namespace_len = 64

[client]
admin_socket =
log_file =
EOF
}

start() {
    local cephx=cephx owner=
    while (($#)); do
        case $1 in
            --no-cephx) cephx=none; shift ;;
            --owner) [[ ${2:-} =~ ^[0-9]+$ ]] || usage; owner=$2; shift 2 ;;
            *) usage ;;
        esac
    done
    [[ $(id -u) -eq 0 ]] || die "must run as root (the daemons run without systemd, as root)"
    for c in ceph-mon ceph-mgr ceph-osd ceph ceph-authtool monmaptool rbd ss uuidgen; do
        command -v "$c" >/dev/null || die "$c is missing: apt-get install ceph-mon ceph-mgr ceph-osd ceph-common"
    done
    if [[ -e $DIR && -n $(ls -A "$DIR") ]]; then
        die "$DIR is not empty"
    fi
    mkdir -p "$DIR"
    DIR=$(cd "$DIR" && pwd)
    CONF=$DIR/ceph.conf
    touch "$DIR/$MARKER"
    mkdir -p "$DIR"/{run,log,crash,mon/mon.a,mgr/mgr.x,osd/osd.0}
    # A failed start leaves nothing running.
    trap 'echo "ceph-single-node: start failed; logs were in $DIR/log" >&2; tail -n 20 "$DIR"/log/*.log >&2 || true; stop_daemons' ERR

    local fsid v2 v1
    fsid=$(uuidgen)
    v2=$(free_port)
    v1=$(free_port)
    [[ $v1 != "$v2" ]] || v1=$(free_port)
    write_conf "$cephx" "$fsid" "$v2" "$v1"

    # Keys: mon., client.admin (every capability) and the daemons' own, each in the one keyring the conf names.
    ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
    ceph-authtool "$DIR/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' \
        --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
    ceph-authtool "$DIR/keyring" --gen-key -n mgr.x --cap mon 'allow profile mgr' --cap osd 'allow *' \
        --cap mds 'allow *' >/dev/null
    ceph-authtool "$DIR/keyring" --gen-key -n osd.0 --cap mon 'allow profile osd' --cap mgr 'allow profile osd' \
        --cap osd 'allow *' >/dev/null
    chmod 600 "$DIR/keyring"

    monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$v2,v1:127.0.0.1:$v1]" "$DIR/monmap" >/dev/null
    ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/keyring"
    if [[ -n $owner ]]; then
        # Its command line names the conf, so stop_daemons ends it like the daemons.
        setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec "$2" stop "$3"' \
            watchdog "$owner" "$(realpath "$0")" "$DIR" -c "$CONF" </dev/null >/dev/null 2>&1 &
        echo $! >"$DIR/run/watchdog.pid"
    fi
    spawn mon.a ceph-mon -c "$CONF" -i a
    spawn mgr.x ceph-mgr -c "$CONF" -i x

    local osd_uuid id
    osd_uuid=$(uuidgen)
    id=$(ceph_cli osd new "$osd_uuid")
    [[ $id == 0 ]] || die "expected osd.0, the monitor gave osd.$id"
    ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" >>"$DIR/log/osd.0.out" 2>&1
    spawn osd.0 ceph-osd -c "$CONF" -i 0

    ceph_cli osd pool create rbd 8 8 >/dev/null 2>&1
    ceph_cli osd pool set rbd size 1 --yes-i-really-mean-it >/dev/null 2>&1
    # `rbd pool init` writes to the pool, so it returns once the OSD is up and the PGs are active.
    timeout "$START_TIMEOUT" rbd -c "$CONF" pool init rbd
    timeout 60 rbd -c "$CONF" create rbd/ferry-start-probe --size 1M
    timeout 60 rbd -c "$CONF" rm --no-progress rbd/ferry-start-probe
    trap - ERR
    echo "CEPH_CONF=$CONF"
    if [[ $cephx == cephx ]]; then
        echo "CEPH_KEYRING=$DIR/keyring"
    else
        echo "CEPH_KEYRING="
    fi
}

# Kills every daemon this cluster started (and its watchdog, unless that is what is stopping it): SIGTERM, then
# SIGKILL after 10 s. A pid is only signalled while its command line still names this cluster's conf, so a recycled
# pid is never hit.
stop_daemons() {
    local pids=()
    for f in "$DIR"/run/*.pid; do
        [[ -e $f ]] || continue
        local pid
        pid=$(cat "$f")
        [[ $pid != "$$" ]] || continue
        if [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "-c $DIR/ceph.conf"; then
            kill -TERM "$pid" 2>/dev/null || true
            pids+=("$pid")
        fi
    done
    for _ in $(seq 1 100); do
        local alive=()
        for pid in "${pids[@]}"; do
            [[ -d /proc/$pid ]] && alive+=("$pid")
        done
        ((${#alive[@]} == 0)) && return 0
        sleep 0.1
    done
    for pid in "${pids[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
    done
}

stop() {
    [[ -e $DIR ]] || return 0
    [[ -e $DIR/$MARKER ]] || die "$DIR was not made by '$0 start': not touching it"
    DIR=$(cd "$DIR" && pwd)
    stop_daemons
    rm -rf "$DIR"
}

[[ $# -ge 2 ]] || usage
# Only this cluster's conf counts: arguments or a conf from the caller's environment would reach every command.
unset CEPH_ARGS CEPH_CONF
DIR=$2
case $1 in
    start) shift 2; start "$@" ;;
    stop) [[ $# -eq 2 ]] || usage; stop ;;
    *) usage ;;
esac
