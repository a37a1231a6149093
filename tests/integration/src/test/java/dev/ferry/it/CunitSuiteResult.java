package dev.ferry.it;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The outcome of one iscsi-test-cu suite, read from its console output. The console (not {@code --xml}) is parsed
 * because libiscsi reports a skipped test as a CUnit pass with a "[SKIPPED]" line, which only the console
 * attributes to its test.
 */
record CunitSuiteResult(String suite, List<String> passed, List<String> failed, List<String> skipped, String problem) {
    private static final Pattern TEST = Pattern.compile("^  Test: (\\S+) \\.\\.\\.", Pattern.MULTILINE);
    /**
     * CUnit's verdict: "passed" or "FAILED" right after the test's "..." or at the start of a line. The test's own
     * log lines in between may say "[FAILED] ..." about a command that was meant to fail (iSCSIdatasn logs the
     * refused writes it provokes so), which is no verdict.
     */
    private static final Pattern VERDICT = Pattern.compile("^(passed|FAILED)", Pattern.MULTILINE);

    /** @param problem null when the tool ran to its summary, else what went wrong (timeout, crash) */
    static CunitSuiteResult parse(String suite, String output, String problem) {
        List<String> passed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Matcher m = TEST.matcher(output);
        List<int[]> starts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (m.find()) {
            starts.add(new int[] {m.start(), m.end()});
            names.add(m.group(1));
        }
        for (int i = 0; i < names.size(); i++) {
            int end = i + 1 < starts.size() ? starts.get(i + 1)[0] : output.length();
            String text = output.substring(starts.get(i)[1], end);
            // The verdict is the first one; "[SKIPPED]" or "[FAILED]" lines after it come from the teardown (e.g. its
            // PERSISTENT RESERVE IN probe meeting a unit attention) and say nothing about this test.
            Matcher v = VERDICT.matcher(text);
            if (!v.find() || v.group(1).equals("FAILED")) {
                failed.add(names.get(i)); // FAILED, or cut off mid-test: the tool died or timed out here
            } else if (text.substring(0, v.start()).contains("[SKIPPED]")) {
                skipped.add(names.get(i));
            } else {
                passed.add(names.get(i));
            }
        }
        if (problem == null && !output.contains("Run Summary")) {
            problem = "no run summary";
        }
        return new CunitSuiteResult(suite, passed, failed, skipped, problem);
    }

    /** Every test ran and none failed, and at least one really passed (not all skipped). */
    boolean clean() {
        return problem == null && failed.isEmpty() && !passed.isEmpty();
    }

    String line() {
        String s = String.format("%-28s %3d passed %3d failed %3d skipped", suite, passed.size(), failed.size(),
                skipped.size());
        if (problem != null) {
            s += "  [" + problem + "]";
        }
        if (!failed.isEmpty()) {
            s += "  failed: " + String.join(", ", failed);
        }
        return s;
    }
}
