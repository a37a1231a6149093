package dev.ferry.cli.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void replacingKeepsThePreviousVersionAndTheModeAndLeavesNoTemporaryFile() throws Exception {
        Path f = dir.resolve("ferry.json");
        AtomicFiles.replaceKeepingBackup(f, "one", PosixFilePermissions.fromString("rw-r-----"));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        AtomicFiles.replaceKeepingBackup(f, "two", PosixFilePermissions.fromString("rw-r-----"));
        assertEquals("two", Files.readString(f));
        assertEquals("one", Files.readString(dir.resolve("ferry.json.bak")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), "an admin's mode stays");
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count());
        }
    }

    @Test
    void secretsAreWrittenPrivate() throws Exception {
        Path f = dir.resolve("secret");
        AtomicFiles.replace(f, "s3cret-s3cret".getBytes(StandardCharsets.UTF_8), PosixFilePermissions.fromString("rw-------"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }
}
