package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * First pass of libiscsi's conformance suite: every suite of {@code iscsi-test-cu --list} runs on its own under a
 * timeout, with destructive tests allowed, against a RAM LUN. The result of each is written to
 * target/iscsi-test-cu-summary.txt. The test asserts that the target survives every suite (it still answers an
 * INQUIRY afterwards) and that the core suites pass.
 */
class IscsiTestCuConformanceTest {
    /** Suites a block target cannot do without; each must pass with at least one test not skipped. */
    static final List<String> CORE_SUITES = List.of(
            "TestUnitReady", "Inquiry", "ReadCapacity10", "ReadCapacity16", "Read10", "Write10");
    private static final Duration SUITE_TIMEOUT = Duration.ofSeconds(90);
    /** Stop starting suites after this, so a slow target cannot push CI past its limit. */
    private static final Duration BUDGET = Duration.ofMinutes(20);
    private static final Path WORK = Path.of("target", "iscsi-test-cu");
    private static final Path SUMMARY = Path.of("target", "iscsi-test-cu-summary.txt");

    @Test
    void targetSurvivesEverySuiteAndPassesTheCoreSuites() throws Exception {
        List<String> suites = suites();
        Files.createDirectories(WORK);
        Map<String, CunitSuiteResult> results = new LinkedHashMap<>();
        List<String> deaths = new ArrayList<>();
        Instant deadline = Instant.now().plus(BUDGET);
        try (FerryTarget ferry = FerryTarget.start(FerryTarget.ram("conformance", "128M"))) {
            String url = ferry.lunUrl(0);
            for (String suite : suites) {
                if (Instant.now().isAfter(deadline)) {
                    results.put(suite, new CunitSuiteResult(suite, List.of(), List.of(), List.of(), "not run: time budget spent"));
                    continue;
                }
                ToolRun run = ToolRun.run(SUITE_TIMEOUT, WORK, "iscsi-test-cu", "--dataloss", "-t", "ALL." + suite, url);
                String problem = run.timedOut() ? "timed out after " + SUITE_TIMEOUT.toSeconds() + " s"
                        : run.exitCode() != 0 ? "exit " + run.exitCode() : null;
                results.put(suite, CunitSuiteResult.parse(suite, run.output(), problem));
                ToolRun alive = ToolRun.run(Duration.ofSeconds(20), "iscsi-inq", url);
                if (!alive.ok()) {
                    deaths.add(suite + ": " + alive.describe());
                    break; // every later suite would only report the same dead target
                }
            }
        }
        String summary = summary(results);
        Files.writeString(SUMMARY, summary);
        System.out.println(summary);

        if (!deaths.isEmpty()) {
            fail("the target stopped answering INQUIRY after suite " + String.join("\n", deaths) + "\n" + summary);
        }
        List<String> unclean = CORE_SUITES.stream()
                .filter(s -> results.get(s) == null || !results.get(s).clean()).toList();
        assertTrue(unclean.isEmpty(), () -> "core suites not passing: " + unclean + "\n" + summary);
    }

    private static List<String> suites() {
        ToolRun list = ToolRun.run(Duration.ofSeconds(20), "iscsi-test-cu", "--list").assertOk();
        return Arrays.stream(list.output().split("\n"))
                .filter(l -> l.matches("ALL\\.[^.]+"))
                .map(l -> l.substring("ALL.".length()))
                .toList();
    }

    private static String summary(Map<String, CunitSuiteResult> results) {
        int passed = 0;
        int failed = 0;
        int skipped = 0;
        StringBuilder sb = new StringBuilder("iscsi-test-cu, one suite at a time (core suites: " + CORE_SUITES + ")\n");
        for (CunitSuiteResult r : results.values()) {
            sb.append(r.line()).append('\n');
            passed += r.passed().size();
            failed += r.failed().size();
            skipped += r.skipped().size();
        }
        long suitesClean = results.values().stream().filter(CunitSuiteResult::clean).count();
        sb.append(String.format("suites: %d of %d clean; tests: %d passed, %d failed, %d skipped%n",
                suitesClean, results.size(), passed, failed, skipped));
        return sb.toString();
    }
}
