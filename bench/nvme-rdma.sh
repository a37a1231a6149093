#!/usr/bin/env bash
# Ferry's NVMe/RDMA against the kernel's nvmet-rdma, inside one initiator VM (../shared/initiator-vm) on the same
# soft-RoCE device (rxe0) with the kernel nvme-rdma initiator and the same kind of RAM backing (Ferry's ram
# backstore, brd for nvmet), one after the other in one boot: bench/nvme-rdma-guest.sh does the work. There is no
# fio in the guest, so the workload is sg_dd (sg3-utils) with O_DIRECT, 4 KiB per request, reads then writes, at
# QD1 (one sg_dd) and QD32 (32 sg_dd processes on disjoint ranges). Everything runs under TCG emulation on 2 vCPUs, Ferry's JVM included, so
# only the Ferry/nvmet ratio means anything. A benchmark, not a test.
# Needs the CLI built: mvn -o -pl packaging/cli -am install -DskipTests
# Settings (environment): BENCH_SIZE_MB (128)  BENCH_QD1_IOS (2000)  BENCH_QD32_IOS (8000)  INITVM_DIR
#   BENCH_WARMUP_IOS (4000)  BENCH_TARGETS ("ferry nvmet")  BENCH_ROUNDS (1)  BENCH_JAVA_OPTS (see the guest script)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
vm=${INITVM_DIR:-$root/../shared/initiator-vm}
cli="$root/packaging/cli/target"
[[ -x $vm/run-guest.sh ]] || { echo "bench: no initiator VM at $vm" >&2; exit 1; }
[[ -f $cli/ferry-cli.jar ]] || { echo "bench: build the CLI first (mvn -o -pl packaging/cli -am install -DskipTests)" >&2; exit 1; }
java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
log=$(mktemp --suffix=.log)

"$vm/build-image.sh" > /dev/null
shares=(--share "$java_home" --env "INITVM_JAVA_HOME=$java_home" --share "$cli:/mnt/cli")
[[ -d /etc/java-17-openjdk ]] && shares+=(--share /etc/java-17-openjdk)  # Debian's JDK links its config there
envs=()
for v in BENCH_SIZE_MB BENCH_QD1_IOS BENCH_QD32_IOS BENCH_WARMUP_IOS BENCH_TARGETS BENCH_ROUNDS BENCH_JAVA_OPTS; do
    [[ -n ${!v:-} ]] && envs+=(--env "$v=${!v}")
done
echo "bench: booting the guest (console log $log)" >&2
rc=0
"$vm/run-guest.sh" --quiet --log "$log" --timeout $((600 + 600 * ${BENCH_ROUNDS:-1})) --smp 2 --env INITVM_RDMA=1 "${shares[@]}" "${envs[@]}" \
    "$root/bench/nvme-rdma-guest.sh" || rc=$?
grep -a "^BENCH-CHECK\|^BENCH-RXE" "$log" >&2 || true
if [[ $rc != 0 ]]; then
    grep -a -q "^BENCH-FAIL" "$log" && sed -n '/^BENCH-FAIL/,$p' "$log" >&2 || tail -40 "$log" >&2
    exit 1
fi

tr -d '\r' < "$log" | grep -a "^BENCH target=" | awk '
    { for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
      key = f["op"] " QD" f["qd"]; iops[f["target"], key] = f["iops"]
      if (!(key in seen)) { seen[key] = 1; order[++n] = key } }
    END {
      printf "%-10s | %12s | %12s | %12s\n", "workload", "Ferry IOPS", "nvmet IOPS", "Ferry/nvmet"
      for (i = 1; i <= n; i++) {
        k = order[i]; a = iops["ferry", k]; b = iops["nvmet", k]
        ratio = b ? a / b : 0   # a bare ">" inside printf would redirect to a file
        printf "%-10s | %12.0f | %12.0f | %12.2f\n", k, a, b, ratio
      }
    }'
