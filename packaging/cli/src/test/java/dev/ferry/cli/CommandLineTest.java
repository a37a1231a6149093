package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Help, version and usage errors at every level. */
class CommandLineTest {
    @Test
    void topLevelHelpListsTheSubcommandsAndExitCodes() {
        CliRun r = CliRun.of("--help");
        assertEquals(0, r.exitCode(), r::toString);
        for (String s : new String[] {"demo", "serve", "validate", "3   invalid configuration"}) {
            assertTrue(r.out().contains(s), () -> "missing '" + s + "' in " + r);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo", "serve", "validate"})
    void everySubcommandHasHelpAndVersion(String sub) {
        CliRun help = CliRun.of(sub, "--help");
        assertEquals(0, help.exitCode(), help::toString);
        assertTrue(help.out().startsWith("Usage: ferry " + sub), help::toString);
        CliRun version = CliRun.of(sub, "--version");
        assertEquals(0, version.exitCode(), version::toString);
        assertTrue(version.out().matches("ferry \\d+\\.\\d+\\.\\d+.*\\s*"), version::toString);
    }

    @Test
    void demoHelpShowsItsDefaults() {
        String out = CliRun.of("demo", "--help").out();
        assertTrue(out.contains("--iscsi-port=N") && out.contains("default 3260"), out);
        assertTrue(out.contains("default 1G") && out.contains("default 127.0.0.1"), out);
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, CliRun.of().exitCode());
        assertEquals(2, CliRun.of("frobnicate").exitCode());
        assertEquals(2, CliRun.of("serve").exitCode(), "--config is required");
        assertEquals(2, CliRun.of("demo", "--iscsi-port", "many").exitCode());
        CliRun r = CliRun.of("validate", "--config", "x.json", "--bogus");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--bogus"), r::toString);
    }

    @Test
    void demoRefusesABadSizeBeforeOpeningAnything() {
        CliRun r = CliRun.of("demo", "--size", "lots", "--iscsi-port", "0");
        assertEquals(3, r.exitCode(), r::toString);
        assertTrue(r.err().contains("backstores[0].size: 'lots' is not a size"), r::toString);
    }
}
