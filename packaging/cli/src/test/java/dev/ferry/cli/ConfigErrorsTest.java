package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A refused configuration exits with 3, names the field of every problem, and opens nothing. */
class ConfigErrorsTest {
    private static final String TARGET = """
            {"name": "iqn.2026-11.dev.ferry:t", "portals": ["127.0.0.1:0"],
             "luns": [{"id": 0, "backstore": "r"}], "allowAnyInitiator": true}""";

    @TempDir
    Path dir;

    private CliRun validate(String json) throws Exception {
        Path f = dir.resolve("ferry.json");
        Files.writeString(f, json);
        return CliRun.of("validate", "--config", f.toString());
    }

    private void assertRefused(String json, String expected) throws Exception {
        CliRun r = validate(json);
        assertEquals(3, r.exitCode(), r::toString);
        assertTrue(r.err().contains(expected), () -> "expected '" + expected + "' in\n" + r);
    }

    @Test
    void misspelledFieldIsNamed() throws Exception {
        assertRefused("{\"backstores\": [{\"name\": \"r\", \"type\": \"ram\", \"sise\": \"1G\"}]}",
                "backstores[0].sise: unknown field 'sise'");
    }

    @Test
    void unknownBackendTypeIsNamedWithTheKnownOnes() throws Exception {
        assertRefused("{\"backstores\": [{\"name\": \"r\", \"type\": \"tape\", \"size\": \"1G\"}]}",
                "backstores[0].type: unknown backend 'tape' (one of [ata, block, file, ram, rbd, scsi])");
    }

    @Test
    void missingSizeIsNamed() throws Exception {
        assertRefused("{\"backstores\": [{\"name\": \"r\", \"type\": \"ram\"}]}", "backstores[0].size: a ram backstore needs a size");
        assertRefused("{\"backstores\": [{\"name\": \"f\", \"type\": \"file\", \"path\": \"" + dir.resolve("none.img") + "\"}]}",
                "backstores[0].size: " + dir.resolve("none.img") + " does not exist; give a size");
    }

    @Test
    void badIqnIsNamed() throws Exception {
        assertRefused("{\"backstores\": [{\"name\": \"r\", \"type\": \"ram\", \"size\": \"1M\"}],"
                + " \"targets\": [" + TARGET.replace("iqn.2026-11.dev.ferry:t", "disk1") + "]}",
                "targets[0].name: 'disk1' is not an iSCSI name");
    }

    @Test
    void lunNamingAMissingBackstoreIsNamed() throws Exception {
        assertRefused("{\"backstores\": [], \"targets\": [" + TARGET + "]}",
                "targets[0].luns[0].backstore: no backstore named 'r'");
    }

    @Test
    void everyProblemIsPrintedNotJustTheFirst() throws Exception {
        CliRun r = validate("{\"backstores\": [{\"name\": \"r\", \"type\": \"ram\"}, {\"name\": \"r\", \"type\": \"ram\", \"size\": \"1M\"}]}");
        assertEquals(3, r.exitCode());
        assertTrue(r.err().contains("backstores[0].size") && r.err().contains("backstores[1].name: 'r' is used"), r::toString);
    }

    @Test
    void missingOrBrokenFileIsRefused() throws Exception {
        CliRun missing = CliRun.of("validate", "--config", dir.resolve("absent.json").toString());
        assertEquals(3, missing.exitCode());
        assertTrue(missing.err().contains("does not exist"), missing::toString);
        assertRefused("{\"backstores\": [", "Unexpected end-of-input");
    }

    @Test
    void serveRefusesAnInvalidConfigBeforeCreatingAnyFile() throws Exception {
        Path disk = dir.resolve("disk.img");
        Path f = dir.resolve("serve.json");
        Files.writeString(f, "{\"backstores\": [{\"name\": \"r\", \"type\": \"file\", \"size\": \"1M\", \"path\": \"" + disk
                + "\"}], \"targets\": [" + TARGET.replace("iqn.2026-11.dev.ferry:t", "bad name") + "]}");
        CliRun r = CliRun.of("serve", "--config", f.toString());
        assertEquals(3, r.exitCode(), r::toString);
        assertTrue(r.err().contains("targets[0].name"), r::toString);
        assertFalse(Files.exists(disk), "serve opened a backstore of an invalid configuration");
    }

    @Test
    void theShippedExampleIsValid() {
        Path example = Path.of("../../examples/ferry.json");
        CliRun r = CliRun.of("validate", "--config", example.toString());
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("2 backstore(s), 2 target(s)"), r::toString);
    }
}
