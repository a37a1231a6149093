#!/usr/bin/env bash
# The one test command: installs missing test packages, then builds Ferry and runs every unit and integration
# test (mvn -B install, with every fuzz target fuzzing for a minute), and ends with a summary of every module's test
# results.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/install-test-deps.sh || exit 1

# Reports older than this run (from earlier builds in this work tree) are left out of the summary.
marker=$(mktemp)
trap 'rm -f "$marker"' EXIT
started=$SECONDS
# --fail-at-end: a failing module still lets every module that does not depend on it build and test.
# -Pfuzz: after its seeds, each Jazzer @FuzzTest fuzzes for fuzz.seconds (60); bench/fuzz.sh runs them for hours.
mvn -B -ntp -Dstyle.color=never --fail-at-end -Pfuzz install </dev/null
status=$?

echo
total_passed=0 total_failed=0 total_skipped=0
echo "=== test summary ($((SECONDS - started)) s, mvn exit $status)"
for reports in $(find . -path '*/target/surefire-reports' -type d | sort); do
    # Each TEST-*.xml starts with <testsuite ... tests="N" errors="N" skipped="N" failures="N">.
    fresh=$(find "$reports" -name 'TEST-*.xml' -newer "$marker")
    [[ -n $fresh ]] || continue
    # shellcheck disable=SC2086 # one file name per word
    read -r t f s < <(cat $fresh | grep -o '<testsuite [^>]*>' | awk '
        { for (i = 1; i <= NF; i++) { split($i, kv, "="); gsub(/"/, "", kv[2]); n[kv[1]] += kv[2] } }
        END { print n["tests"] + 0, n["failures"] + n["errors"], n["skipped"] + 0 }')
    module=${reports%/target/surefire-reports}
    printf '  %-24s %4d passed %4d failed %4d skipped\n' "${module#./}" $((t - f - s)) "$f" "$s"
    ((total_passed += t - f - s, total_failed += f, total_skipped += s))
done
summary=tests/integration/target/iscsi-test-cu-summary.txt
if [[ $summary -nt $marker ]]; then
    echo "=== libiscsi conformance ($summary)"
    cat "$summary"
fi
echo "tests: $total_passed passed, $total_failed failed, $total_skipped skipped"
exit $status
