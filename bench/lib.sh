# Helpers shared by the iSCSI benchmark scripts; sourced, never run. They expect $work (a scratch directory
# holding each target's log as $work/TARGET.log).

fail() {  # MESSAGE TARGET: says what failed, with the end of that target's log
    echo "bench: $1" >&2
    tail -n 20 "$work/$2.log" >&2 || true
    exit 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime of every thread

wait_for_portal() {  # PORT PID TARGET
    for _ in $(seq 60); do
        kill -0 "$2" 2>/dev/null || fail "the $3 process died" "$3"
        iscsi-ls "iscsi://127.0.0.1:$1" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    fail "nothing answers on 127.0.0.1:$1" "$3"
}

stop_servers() {  # stops $ferry_pid and $tgt_pid (tgtd on control port $TGT_CONTROL_PORT) where running
    if [[ -n $ferry_pid ]] && kill -0 "$ferry_pid" 2>/dev/null; then
        kill "$ferry_pid"; wait "$ferry_pid" 2>/dev/null || true
    fi
    if [[ -n $tgt_pid ]] && kill -0 "$tgt_pid" 2>/dev/null; then
        # tgtd ignores SIGTERM while it has targets: delete them, then the daemon.
        tgtadm -C "$TGT_CONTROL_PORT" --op delete --mode target --tid 1 --force >/dev/null 2>&1 || true
        tgtadm -C "$TGT_CONTROL_PORT" --op delete --mode system >/dev/null 2>&1 || true
        wait "$tgt_pid" 2>/dev/null || true
    fi
    ferry_pid="" tgt_pid=""
}
