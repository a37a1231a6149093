# Starting and stopping each target of the comparison scripts (latency-table.sh, session-rss.sh), one at a time;
# sourced, never run. Ferry is `ferry demo` of this checkout (1 GiB RAM LUN 0 / namespace 1); the peers come from
# the shared reference scripts in $PEERS (default: ../shared/peers beside the checkout, see its README.md):
# tgt (tgt-setup.sh: LUN 1 = rdwr file in /dev/shm) and SPDK iscsi_tgt / nvmf_tgt (spdk/start-*.sh: 1 GiB Malloc,
# polling CPU 0), the latter only where SPDK is built in $SPDK_DIR. Expects $root and $work (a scratch directory).
# Each *_start sets TARGET_PID and the bench-initiator URLs it serves (ISCSI_URL, NVME_URL), or returns 1 with a note
# on stderr; target_stop stops it.

PEERS=${PEERS:-$root/../shared/peers}
SPDK_DIR=${SPDK_DIR:-/tmp/spdk}
export SPDK_DIR
TARGET_PID="" TARGET_KIND="" ISCSI_URL="" NVME_URL=""

note() { echo "bench: $*" >&2; }

wait_port() {  # PORT: until something accepts on 127.0.0.1:PORT (60 s)
    for _ in $(seq 300); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.2
    done
    return 1
}

# Which peers this machine has; says why one is skipped, once.
have_tgt() { [[ -f $PEERS/tgt-setup.sh ]] && command -v tgtd >/dev/null; }
have_spdk() { [[ -f $PEERS/spdk/start-nvmf.sh && -x $SPDK_DIR/build/bin/nvmf_tgt && -x $SPDK_DIR/build/bin/iscsi_tgt ]]; }
say_skipped_peers() {
    have_tgt || note "tgt skipped: no $PEERS/tgt-setup.sh or no tgtd (PEERS=... names the shared peers directory)"
    have_spdk || note "SPDK skipped: no $PEERS/spdk/start-*.sh or no build in $SPDK_DIR (see $PEERS/README.md)"
}

ferry_start() {  # ISCSI_PORT NVME_PORT
    "$root/ferry" demo --iscsi-port "$1" --nvme-port "$2" >"$work/ferry.log" 2>&1 &
    TARGET_PID=$! TARGET_KIND=ferry  # the launcher execs java: this is the JVM
    for _ in $(seq 120); do
        grep -q "nvme listening" "$work/ferry.log" && break
        kill -0 "$TARGET_PID" 2>/dev/null || { tail -n 20 "$work/ferry.log" >&2; note "ferry died"; return 1; }
        sleep 0.5
    done
    ISCSI_URL="iscsi://127.0.0.1:$1/iqn.2026-11.dev.ferry:demo/0"
    NVME_URL="nvme://127.0.0.1:$2/nqn.2026-11.dev.ferry:demo/1"
}

tgt_start() {  # PORT CONTROL_PORT
    PORT=$1 CTL=$2 STATE=$work/tgt LUN_FILE=/dev/shm/ferry-bench-peer-tgt.img bash "$PEERS/tgt-setup.sh" start \
        >"$work/tgt-setup.log" 2>&1 || { cat "$work/tgt-setup.log" >&2; note "tgt did not start"; return 1; }
    TARGET_PID=$(cat "$work/tgt/tgtd.pid") TARGET_KIND=tgt TGT_PORTS="$1 $2"
    ISCSI_URL="iscsi://127.0.0.1:$1/iqn.2026-11.test:tgt/1"
    wait_port "$1"
}

spdk_start() {  # iscsi|nvme PORT
    local script=start-iscsi.sh
    [[ $1 == nvme ]] && script=start-nvmf.sh
    # our own RPC socket and log: another SPDK app on this machine keeps its own
    TARGET_PID=$(RPC_SOCK="$work/spdk-$1.sock" LOG="$work/spdk-$1.log" bash "$PEERS/spdk/$script" "$2" \
        2>>"$work/spdk-start.log") || { tail -n 5 "$work/spdk-start.log" >&2; note "SPDK $1 did not start"; return 1; }
    TARGET_KIND=spdk
    if [[ $1 == iscsi ]]; then
        ISCSI_URL="iscsi://127.0.0.1:$2/iqn.2016-06.io.spdk:Target1/0"
    else
        NVME_URL="nvme://127.0.0.1:$2/nqn.2016-06.io.spdk:cnode1/1"
    fi
    wait_port "$2"
}

target_stop() {  # the one target started last
    case $TARGET_KIND in
        ferry)
            kill "$TARGET_PID" 2>/dev/null || true
            wait "$TARGET_PID" 2>/dev/null || true ;;
        tgt)
            # shellcheck disable=SC2086 # two words on purpose
            set -- $TGT_PORTS
            PORT=$1 CTL=$2 STATE=$work/tgt bash "$PEERS/tgt-setup.sh" stop >/dev/null 2>&1 || true
            rm -f /dev/shm/ferry-bench-peer-tgt.img ;;
        spdk)
            bash "$PEERS/spdk/stop.sh" "$TARGET_PID" >/dev/null 2>&1 || true ;;
    esac
    TARGET_PID="" TARGET_KIND="" ISCSI_URL="" NVME_URL=""
}

# The bench client, built from this checkout (plain JDK; no Ferry code), run on the last CPU when there are two or
# more, away from SPDK's polling CPU 0, the same for every target.
build_initiator() {
    mvn -q -B -f "$root/bench/initiator/pom.xml" package -DskipTests >&2
    INITIATOR_JAR=$root/bench/initiator/target/bench-initiator.jar
    CLIENT_CPU=$(( $(nproc) - 1 ))
}
initiator() { taskset -c "$CLIENT_CPU" java -jar "$INITIATOR_JAR" "$@"; }
