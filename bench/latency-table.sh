#!/usr/bin/env bash
# p50 / p99 latency at queue depth 1 of 4 KiB random reads and writes over iSCSI and NVMe/TCP: Ferry (`ferry demo`,
# 1 GiB RAM LUN) vs tgt (iSCSI) and SPDK (iSCSI and NVMe/TCP, where built), in one interleaved run: each round
# starts every target alone, drives it, stops it (Ferry, tgt, SPDK iscsi_tgt, SPDK nvmf_tgt), so background load
# hits all alike. One client for all: bench/initiator (plain JDK sockets), on the last CPU; a 64 MiB region, written
# once before reads. Prints a markdown table of the medians over the rounds, with Ferry/peer latency ratios (below
# 1: Ferry is faster). The client's own time is in every figure alike. Where SPDK is built, its spdk_nvme_perf -L
# (C, polling, on the same CPU) measures the NVMe/TCP rows again for Ferry and SPDK: a client with less overhead of
# its own, over the whole namespace without a fill. A benchmark, not a test.
# Peers: see bench/peers.sh (PEERS, SPDK_DIR); a missing one is skipped with a note. Settings (environment):
#   ROUNDS (3)  SECONDS_PER_RUN (8)  WARM_UP (2, seconds not counted; whole seconds both)  REGION_MIB (64)
#   ports: FERRY_ISCSI_PORT (13280) FERRY_NVME_PORT (14480) TGT_PORT (13281) TGT_CONTROL_PORT (28)
#          SPDK_ISCSI_PORT (13282) SPDK_NVME_PORT (14482)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-8}
WARM_UP=${WARM_UP:-2}
REGION_MIB=${REGION_MIB:-64}
FERRY_ISCSI_PORT=${FERRY_ISCSI_PORT:-13280}
FERRY_NVME_PORT=${FERRY_NVME_PORT:-14480}
TGT_PORT=${TGT_PORT:-13281}
TGT_CONTROL_PORT=${TGT_CONTROL_PORT:-28}
SPDK_ISCSI_PORT=${SPDK_ISCSI_PORT:-13282}
SPDK_NVME_PORT=${SPDK_NVME_PORT:-14482}
work=$(mktemp -d)
trap 'target_stop; rm -rf "$work"' EXIT
# shellcheck source=bench/peers.sh
source "$root/bench/peers.sh"

results=$work/results.tsv  # proto op target p50 p99
: >"$results"
measure() {  # PROTO TARGET URL: reads, then writes
    local op out
    for op in read write; do
        if out=$(initiator latency "$3" "$op" --seconds "$SECONDS_PER_RUN" --warm-up "$WARM_UP" \
                --region-mib "$REGION_MIB" 2>"$work/client.err"); then
            note "$1 $2 $op: $out"
            awk -v p="$1" -v t="$2" -v o="$op" '{
                for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                print p "\t" o "\t" t "\t" v["p50_us"] "\t" v["p99_us"] }' <<<"$out" >>"$results"
        else
            note "$1 $2 $op failed: $(tail -n 3 "$work/client.err")"
        fi
    done
}

# spdk_nvme_perf sends an empty host NQN unless the transport ID names one, which Ferry refuses
PERF_HOSTNQN=nqn.2014-08.org.nvmexpress:uuid:2b5f1d7e-1111-2222-3333-444455556666
measure_perf() {  # TARGET URL (nvme://HOST:PORT/NQN/NSID): spdk_nvme_perf -L reads, then writes
    local hostport=${2#nvme://} op out
    hostport=${hostport%%/*}
    local nqn=${2#nvme://*/} trid
    nqn=${nqn%/*}
    trid="trtype:TCP adrfam:IPv4 traddr:${hostport%:*} trsvcid:${hostport#*:} subnqn:$nqn hostnqn:$PERF_HOSTNQN"
    for op in read write; do
        out=$(timeout $((SECONDS_PER_RUN + WARM_UP + 60)) "$SPDK_DIR/build/bin/spdk_nvme_perf" --no-huge -s 512 \
                -c "$(printf '0x%x' $((1 << CLIENT_CPU)))" -q 1 -o 4096 -w "rand$op" -a "$WARM_UP" \
                -t "$SECONDS_PER_RUN" -L -r "$trid" 2>&1) || true
        # the -L summary: "  50.00000% :    37.022us"
        local p50 p99
        p50=$(sed -n 's/^ *50\.00000% : *\([0-9.]*\)us/\1/p' <<<"$out" | head -1)
        p99=$(sed -n 's/^ *99\.00000% : *\([0-9.]*\)us/\1/p' <<<"$out" | head -1)
        if [[ -n $p50 && -n $p99 ]]; then
            note "nvme-perf $1 $op: p50_us=$p50 p99_us=$p99"
            printf 'nvme-perf\t%s\t%s\t%s\t%s\n' "$op" "$1" "$p50" "$p99" >>"$results"
        else
            note "nvme-perf $1 $op failed: $(tail -n 3 <<<"$out")"
        fi
    done
}

bash "$root/scripts/install-test-deps.sh"
"$root/ferry" --version >/dev/null  # builds the distribution first if needed, outside any measurement
build_initiator
say_skipped_peers
for r in $(seq "$ROUNDS"); do
    note "round $r of $ROUNDS"
    if ferry_start "$FERRY_ISCSI_PORT" "$FERRY_NVME_PORT"; then
        measure iscsi ferry "$ISCSI_URL"
        measure nvme ferry "$NVME_URL"
        have_spdk && measure_perf ferry "$NVME_URL"
    fi
    target_stop
    if have_tgt; then
        tgt_start "$TGT_PORT" "$TGT_CONTROL_PORT" && measure iscsi tgt "$ISCSI_URL"
        target_stop
    fi
    if have_spdk; then
        spdk_start iscsi "$SPDK_ISCSI_PORT" && measure iscsi spdk "$ISCSI_URL"
        target_stop
        spdk_start nvme "$SPDK_NVME_PORT" && { measure nvme spdk "$NVME_URL"; measure_perf spdk "$NVME_URL"; }
        target_stop
    fi
done

median() {  # PROTO OP TARGET COLUMN: median over rounds, or "-"
    awk -F'\t' -v p="$1" -v o="$2" -v t="$3" -v c="$4" '$1 == p && $2 == o && $3 == t { print $c }' "$results" \
        | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) printf "%.1f\n", v[(NR + 1) / 2];
                                               else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }

cell() {  # PROTO OP TARGET: "p50 / p99"
    local a
    a=$(median "$1" "$2" "$3" 4)
    [[ $a == - ]] && echo "-" || echo "$a / $(median "$1" "$2" "$3" 5)"
}
ratio_cell() {  # PROTO OP PEER: Ferry's p50 and p99 over the peer's
    local a b
    a=$(ratio "$(median "$1" "$2" ferry 4)" "$(median "$1" "$2" "$3" 4)")
    b=$(ratio "$(median "$1" "$2" ferry 5)" "$(median "$1" "$2" "$3" 5)")
    [[ $a == - ]] && echo "-" || echo "$a / $b"
}

echo
echo "QD1 4 KiB random I/O latency, p50 / p99 in µs: median of $ROUNDS interleaved rounds of ${SECONDS_PER_RUN} s" \
     "($(nproc) CPUs, client on CPU $CLIENT_CPU; Ferry/peer below 1: Ferry is faster)"
echo
echo "| case | Ferry | tgt | SPDK | Ferry/tgt | Ferry/SPDK |"
echo "|---|---|---|---|---|---|"
for proto in iscsi nvme nvme-perf; do
    [[ $proto == nvme-perf ]] && ! have_spdk && continue
    case $proto in
        iscsi) label=iSCSI suffix="" ;;
        nvme) label=NVMe/TCP suffix="" ;;
        nvme-perf) label=NVMe/TCP suffix=", spdk_nvme_perf" ;;
    esac
    for op in read write; do
        echo "| $label 4K rand $op QD1$suffix | $(cell $proto $op ferry) | $(cell $proto $op tgt) | $(cell $proto $op spdk)" \
             "| $(ratio_cell $proto $op tgt) | $(ratio_cell $proto $op spdk) |"
    done
done
