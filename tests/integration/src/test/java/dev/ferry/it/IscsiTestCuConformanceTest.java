package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ferry.core.config.BackstoreConfig;
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
 * libiscsi's conformance suite in full: every suite of {@code iscsi-test-cu --list} runs on its own under a timeout,
 * with every test enabled (destructive and SANITIZE tests, two initiator names, the LUN's URL given twice for the
 * multipath tests). Every test must pass or be skipped by libiscsi itself because Ferry reports that it lacks an
 * optional feature; the only failures tolerated are the known iSCSI transport ones listed below. The result of each
 * suite is written to target/iscsi-test-cu-summary.txt.
 *
 * <p>Two suites run on a LUN of their own. ReadOnly tests a write-protected unit, so it runs on a read-only RAM
 * backstore (on a writable LUN it skips itself). MultipathIO.CompareAndWrite zeroes blocks 0-255 with WRITE SAME and
 * then compare-and-writes blocks 0-256 expecting zeros: block 256 is never initialised (libiscsi 1.19), so that suite
 * runs on a fresh, all-zero LUN instead of one the other suites have written. GetLBAStatus runs on a LUN whose
 * physical blocks are its logical ones (4096 bytes), since its UnmapSingle test can pass on no other.
 */
class IscsiTestCuConformanceTest {
    static final String INITIATOR = "iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test";
    static final String INITIATOR_2 = "iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test-2";
    /** The slowest suite takes a few seconds; a suite still running after this is hanging. */
    private static final Duration SUITE_TIMEOUT = Duration.ofSeconds(60);
    /** Suites not started within this count as failed, so the test stays well under 5 minutes. */
    private static final Duration BUDGET = Duration.ofMinutes(4);
    private static final int WRITABLE_LUN = 0;
    private static final int READ_ONLY_LUN = 1;
    private static final int FRESH_LUN = 2;
    /** One logical block per physical block: see {@link GetLbaStatusConformanceTest} for why GetLBAStatus needs it. */
    private static final int UNIT_PHYSICAL_BLOCK_LUN = 3;
    private static final Map<String, Integer> SUITE_LUN = Map.of("ReadOnly", READ_ONLY_LUN, "MultipathIO", FRESH_LUN,
            "GetLBAStatus", UNIT_PHYSICAL_BLOCK_LUN);
    private static final Path WORK = Path.of("target", "iscsi-test-cu");
    private static final Path SUMMARY = Path.of("target", "iscsi-test-cu-summary.txt");

    @Test
    void everySuitePassesOrSkipsOnlyWhatFerryLacks() throws Exception {
        List<String> suites = suites();
        Files.createDirectories(WORK);
        Map<String, CunitSuiteResult> results = new LinkedHashMap<>();
        List<String> deaths = new ArrayList<>();
        Instant deadline = Instant.now().plus(BUDGET);
        BackstoreConfig readOnly = new BackstoreConfig("readonly", "ram", "64M", null, null, null, true, null, null,
                null);
        try (FerryTarget ferry = FerryTarget.start(FerryTarget.ram("conformance", "128M"), readOnly,
                FerryTarget.ram("fresh", "64M"), FerryTarget.ram("unitphysical", "64M", 4096))) {
            for (String suite : suites) {
                if (Instant.now().isAfter(deadline)) {
                    results.put(suite, new CunitSuiteResult(suite, List.of(), List.of(), List.of(),
                            "not run: time budget spent"));
                    continue;
                }
                String url = ferry.lunUrl(SUITE_LUN.getOrDefault(suite, WRITABLE_LUN));
                ToolRun run = ToolRun.run(SUITE_TIMEOUT, WORK, "iscsi-test-cu", "--dataloss", "--allow-sanitize",
                        "--initiator-name", INITIATOR, "--initiator-name-2", INITIATOR_2, "-t", "ALL." + suite,
                        url, url);
                // exit 1 is "some test failed" (parsed test by test); anything else is a crash or a signal
                String problem = run.timedOut() ? "timed out after " + SUITE_TIMEOUT.toSeconds() + " s"
                        : run.exitCode() > 1 ? "exit " + run.exitCode() : null;
                results.put(suite, CunitSuiteResult.parse(suite, run.output(), problem));
                ToolRun alive = ToolRun.run(Duration.ofSeconds(20), "iscsi-inq", ferry.lunUrl(WRITABLE_LUN));
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
        assertTrue(results.keySet().containsAll(suites), "every suite ran\n" + summary);
        List<String> bad = new ArrayList<>();
        for (CunitSuiteResult r : results.values()) {
            if (r.problem() != null) {
                bad.add(r.suite() + ": " + r.problem());
            }
            r.failed().forEach(t -> bad.add(r.suite() + "." + t));
        }
        assertTrue(bad.isEmpty(), () -> "failures: " + bad + "\n" + summary);
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
        StringBuilder sb = new StringBuilder("iscsi-test-cu --dataloss --allow-sanitize, two initiators, multipath,"
                + " one suite at a time (ReadOnly on a read-only LUN, MultipathIO on a fresh one)\n");
        for (CunitSuiteResult r : results.values()) {
            sb.append(r.line()).append('\n');
            passed += r.passed().size();
            failed += r.failed().size();
            skipped += r.skipped().size();
        }
        sb.append(String.format("iscsi-test-cu totals: %d passed, %d failed, %d skipped%n", passed, failed, skipped));
        return sb.toString();
    }
}
