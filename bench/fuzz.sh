#!/usr/bin/env bash
# Runs Ferry's Jazzer fuzz targets for longer than the test command does (there each gets fuzz.seconds, 60 s):
#   bench/fuzz.sh DURATION [TARGET...]
# DURATION is per target: seconds, or with a unit (90m, 4h). TARGETs are fuzz test class names (default: all of
# them, one after another: the total time is DURATION times their number). Each target runs in a JVM of its own
# (the fuzz profile of the parent pom) and starts from its committed seeds plus the corpus earlier runs left in
# <module>/.cifuzz-corpus/, so a long run continues where the last one stopped. A finding fails that target, is
# printed with its stack trace, and is saved as src/test/resources/<package>/<Class>Inputs/<method>/crash-<sha1>
# in the module: commit it with the fix and it becomes a regression input of every `mvn test`.
# A soak, not a test; the summary at the end lists each target's executions and findings.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if (($# < 1)); then
    sed -n '2,9p' "$0" >&2
    exit 2
fi
case $1 in
    *h) seconds=$((${1%h} * 3600)) ;;
    *m) seconds=$((${1%m} * 60)) ;;
    *s) seconds=${1%s} ;;
    *) seconds=$1 ;;
esac
shift
if (($# > 0)); then
    targets=("$@")
else
    mapfile -t targets < <(grep -rl --include='*FuzzTest.java' '@FuzzTest' . | xargs -n1 basename | sed 's/\.java$//' | sort)
fi
modules=$(for t in "${targets[@]}"; do
    f=$(grep -rl --include="$t.java" '@FuzzTest' . | head -1)
    [[ -n $f ]] || { echo "bench: no fuzz target $t" >&2; exit 2; }
    echo "${f%%/src/test/*}" | sed 's|^\./||'
done | sort -u | paste -sd, -) || exit 2
log=$(mktemp /tmp/ferry-fuzz.XXXXXX.log)
echo "bench: fuzzing ${#targets[@]} target(s) for ${seconds} s each in $modules; log: $log"

mvn -B -ntp -Dstyle.color=never --fail-at-end test -Pfuzz -Dfuzz.seconds="$seconds" -pl "$modules" -am \
    -Dtest="$(IFS=,; echo "${targets[*]}")" -Dsurefire.failIfNoSpecifiedTests=false </dev/null >"$log" 2>&1
status=$?

echo "=== fuzz summary (mvn exit $status)"
# Per target (one JVM each): Jazzer writes "Test unit written to <file>" for a finding, then "Done N runs in S
# second(s)", then surefire reports the finding's exception.
awk '/Running dev\.ferry\..*FuzzTest/ { target = $NF; sub(/.*\./, "", target); found = "" }
     /Test unit written to/ { found = $NF }
     /^Done [0-9]+ runs in/ {
         printf "  %-28s %12s executions in %4s s: %s\n", target, $2, $5, found == "" ? "nothing found" : "FINDING, saved as " found
         expect = found != "" }
     /FuzzTestFindingException: / && expect { sub(/.*FuzzTestFindingException: /, ""); print "      " $0; expect = 0 }' "$log"
exit $status
