#!/usr/bin/env bash
# Resident memory (VmRSS) of each target process idle and with many sessions held open: Ferry (`ferry demo`) with
# 64 iSCSI sessions, with 64 NVMe/TCP controllers (admin queue + one I/O queue each), and with both at once; tgt with
# 64 iSCSI sessions; SPDK iscsi_tgt with 64 sessions and nvmf_tgt with 64 controllers, where built. Every session
# reads 4 KiB once, so per-connection buffers exist, and is then held open by bench/initiator (`hold`) while the
# target's RSS is read. Prints a markdown table. Figures are of the whole process: Ferry's include the JVM's heap as
# sized by its defaults (FERRY_JAVA_OPTS passes options), SPDK's the DPDK memory it maps without hugepages
# (MEM_MB, 2 GiB by default) and its 1 GiB Malloc bdev; tgt's LUN is a /dev/shm file, outside its RSS. Compare the
# growth per session above all. A benchmark, not a test. Peers: see bench/peers.sh (PEERS, SPDK_DIR). Settings:
#   SESSIONS (64)  SETTLE (3, seconds before each reading)
#   ports: FERRY_ISCSI_PORT (13290) FERRY_NVME_PORT (14490) TGT_PORT (13291) TGT_CONTROL_PORT (29)
#          SPDK_ISCSI_PORT (13292) SPDK_NVME_PORT (14492)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SESSIONS=${SESSIONS:-64}
SETTLE=${SETTLE:-3}
FERRY_ISCSI_PORT=${FERRY_ISCSI_PORT:-13290}
FERRY_NVME_PORT=${FERRY_NVME_PORT:-14490}
TGT_PORT=${TGT_PORT:-13291}
TGT_CONTROL_PORT=${TGT_CONTROL_PORT:-29}
SPDK_ISCSI_PORT=${SPDK_ISCSI_PORT:-13292}
SPDK_NVME_PORT=${SPDK_NVME_PORT:-14492}
work=$(mktemp -d)
holder_pids=() holder_fds=()
trap 'release; target_stop; rm -rf "$work"' EXIT
# shellcheck source=bench/peers.sh
source "$root/bench/peers.sh"

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

hold() {  # NAME URL: a holder keeping $SESSIONS sessions or controllers open until release; waits until all are
    local out=$work/$1.out fd
    mkfifo "$work/$1.in"
    initiator hold "$2" "$SESSIONS" <"$work/$1.in" >"$out" 2>&1 &
    holder_pids+=($!)
    exec {fd}>"$work/$1.in"  # the holder's standard input: it lets go when this closes
    holder_fds+=("$fd")
    for _ in $(seq 600); do
        grep -q "^holding $SESSIONS" "$out" && return 0
        kill -0 "${holder_pids[-1]}" 2>/dev/null || break
        sleep 0.2
    done
    tail -n 5 "$out" >&2
    note "$1: $SESSIONS sessions were not opened"
    return 1
}

release() {  # every holder closes its sessions and exits
    local fd pid
    for fd in "${holder_fds[@]}"; do exec {fd}>&-; done
    for pid in "${holder_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    holder_fds=() holder_pids=()
    rm -f "$work"/*.in
}

rows=()
row() {  # TARGET LOAD IDLE_KIB LOADED_KIB COUNT
    rows+=("$(awk -v t="$1" -v l="$2" -v i="$3" -v r="$4" -v n="$5" 'BEGIN {
        printf "| %s | %s | %.1f | %.1f | %.1f | %.0f |", t, l, i / 1024, r / 1024, (r - i) / 1024, (r - i) / n }')")
}
measure() {  # TARGET LOAD NAME=URL...: idle reading, hold each, loaded reading
    local target=$1 load=$2 idle loaded h
    shift 2
    sleep "$SETTLE"
    idle=$(rss_kib "$TARGET_PID")
    for h in "$@"; do
        hold "${h%%=*}" "${h#*=}" || { release; return 1; }
    done
    sleep "$SETTLE"
    loaded=$(rss_kib "$TARGET_PID")
    release
    row "$target" "$load" "$idle" "$loaded" $((SESSIONS * $#))
}

bash "$root/scripts/install-test-deps.sh"
"$root/ferry" --version >/dev/null  # builds the distribution first if needed, outside any measurement
build_initiator
say_skipped_peers

# Ferry: a fresh daemon for each load, so each starts from the same idle state
ferry_start "$FERRY_ISCSI_PORT" "$FERRY_NVME_PORT" && measure Ferry "$SESSIONS iSCSI sessions" "iscsi=$ISCSI_URL"
target_stop
ferry_start "$FERRY_ISCSI_PORT" "$FERRY_NVME_PORT" && measure Ferry "$SESSIONS NVMe/TCP controllers" "nvme=$NVME_URL"
target_stop
ferry_start "$FERRY_ISCSI_PORT" "$FERRY_NVME_PORT" \
    && measure Ferry "both: $SESSIONS iSCSI + $SESSIONS NVMe/TCP" "iscsi=$ISCSI_URL" "nvme=$NVME_URL"
target_stop
if have_tgt; then
    tgt_start "$TGT_PORT" "$TGT_CONTROL_PORT" && measure tgt "$SESSIONS iSCSI sessions" "iscsi=$ISCSI_URL"
    target_stop
fi
if have_spdk; then
    spdk_start iscsi "$SPDK_ISCSI_PORT" && measure "SPDK iscsi_tgt" "$SESSIONS iSCSI sessions" "iscsi=$ISCSI_URL"
    target_stop
    spdk_start nvme "$SPDK_NVME_PORT" && measure "SPDK nvmf_tgt" "$SESSIONS NVMe/TCP controllers" "nvme=$NVME_URL"
    target_stop
fi

echo
echo "Target process RSS (VmRSS), idle and with sessions held open ($(nproc) CPUs; each session read 4 KiB once)"
echo
echo "| target | held open | idle MiB | loaded MiB | growth MiB | KiB per session |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
