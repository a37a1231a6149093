package dev.ferry.dist;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .rpm as built: its files, requirements and config flags, then installed with rpm into a scratch root. */
class RpmPackageTest {
    @TempDir
    Path root;

    static Path rpm() throws Exception {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("ferry.rpmDir")))) {
            return s.filter(p -> p.getFileName().toString().matches("ferry-.*\\.noarch\\.rpm")).findFirst().orElseThrow();
        }
    }

    @Test
    void metadataNamesTheJavaRuntimeAndANoreplaceConfigFile() throws Exception {
        String rpm = rpm().toString();
        String files = Run.ok("rpm", "-qpl", rpm);
        for (String f : new String[] {"/usr/bin/ferry", "/usr/lib/systemd/system/ferry.service", "/etc/ferry/ferry.json",
                "/usr/share/ferry/lib/ferry-cli-", "/usr/share/bash-completion/completions/ferry",
                "/usr/share/doc/ferry/ferry-help.txt", "/var/lib/ferry"}) {
            assertTrue(files.contains(f), f + " missing:\n" + files);
        }
        assertTrue(Run.ok("rpm", "-qpR", rpm).contains("jre-headless >= 17"));
        // %config(noreplace): the flags of /etc/ferry/ferry.json read "cn".
        String flags = Run.ok("rpm", "-qp", "--qf", "[%{FILENAMES} %{FILEFLAGS:fflags}\\n]", rpm);
        assertTrue(flags.contains("/etc/ferry/ferry.json cn"), flags);
    }

    @Test
    void installsIntoAScratchRootAndRuns() throws Exception {
        Run.ok("rpm", "--root", root.toString(), "--initdb");
        Run.ok("rpm", "--root", root.toString(), "-i", "--nodeps", rpm().toString());
        assertTrue(Run.ok("rpm", "--root", root.toString(), "-q", "ferry").startsWith("ferry-"));
        assertTrue(Files.isExecutable(root.resolve("usr/bin/ferry")));
        assertTrue(Run.ok(root.resolve("usr/bin/ferry").toString(), "config", "validate",
                root.resolve("etc/ferry/ferry.json").toString()).contains("is valid"));
        assertTrue(Run.ok(root.resolve("usr/bin/ferry").toString(), "--version").startsWith("ferry "));
    }
}
