package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's {@code ./ferry} launcher on a machine without a JDK or Maven. It runs from a copy in a scratch
 * checkout with a PATH of its own: the few real tools it uses, a fake {@code id} (root or not), and a fake
 * {@code apt-get} that records its arguments and "installs" fake {@code java}, {@code javac} and {@code mvn}.
 * Nothing on this machine is installed or removed.
 */
class FerryLauncherTest {
    private static final List<String> REAL_TOOLS = List.of("dirname", "readlink", "find", "touch");

    @TempDir
    Path dir;
    private Path checkout;
    private Path bin;
    private Path aptLog;

    @BeforeEach
    void scratchCheckout() throws Exception {
        checkout = Files.createDirectories(dir.resolve("checkout"));
        Files.copy(repositoryRoot().resolve("ferry"), checkout.resolve("ferry"));
        bin = Files.createDirectories(dir.resolve("bin"));
        aptLog = dir.resolve("apt-get.log");
        for (String tool : REAL_TOOLS) {
            Files.createSymbolicLink(bin.resolve(tool), onPath(tool));
        }
        String jar = checkout.resolve("packaging/cli/target/ferry-cli.jar").toString();
        // What the fake apt-get "installs": a java that says how it was called, and an mvn that builds the jar.
        String java = "echo \"fake-java $*\"";
        String mvn = "export PATH=/usr/bin:/bin; mkdir -p '" + Path.of(jar).getParent() + "' && touch '" + jar + "'";
        script("apt-get", "echo \"$*\" >> '" + aptLog + "'\n"
                + "if [ \"$1\" = install ]; then\n"
                + "  printf '#!/bin/bash\\n%s\\n' '" + java.replace("'", "'\\''") + "' > '" + bin.resolve("java") + "'\n"
                + "  printf '#!/bin/bash\\nexit 0\\n' > '" + bin.resolve("javac") + "'\n"
                + "  printf '#!/bin/bash\\n%s\\n' '" + mvn.replace("'", "'\\''") + "' > '" + bin.resolve("mvn") + "'\n"
                + "  chmod +x '" + bin.resolve("java") + "' '" + bin.resolve("javac") + "' '" + bin.resolve("mvn") + "'\n"
                + "fi");
    }

    @Test
    void asRootItInstallsTheJdkAndMavenThenBuildsAndRuns() throws Exception {
        script("id", "echo 0");
        Launch run = launch("demo");
        assertEquals(0, run.exitCode, run::toString);
        assertEquals("update -q\ninstall -y -q openjdk-17-jdk-headless maven\n", Files.readString(aptLog), run::toString);
        assertTrue(run.output.contains("ferry: installing openjdk-17-jdk-headless maven with apt-get"), run::toString);
        assertTrue(run.output.contains("fake-java -cp " + checkout.toRealPath()
                + "/packaging/cli/target/lib/*:" + checkout.toRealPath() + "/packaging/cli/target/ferry-cli.jar"
                + " dev.ferry.cli.FerryCli demo"), run::toString);
    }

    @Test
    void notAsRootItSaysWhatToInstallAndInstallsNothing() throws Exception {
        script("id", "echo 1000");
        Launch run = launch("demo");
        assertEquals(1, run.exitCode, run::toString);
        assertTrue(run.output.contains("ferry: missing openjdk-17-jdk-headless maven; install first (as root on Debian"
                + " 12): apt-get install -y openjdk-17-jdk-headless maven"), run::toString);
        assertFalse(Files.exists(aptLog), run::toString);
        assertFalse(run.output.contains("fake-java"), run::toString);
    }

    @Test
    void withEverythingThereItInstallsNothing() throws Exception {
        script("id", "echo 0");
        assertEquals(0, launch("demo").exitCode); // installs the fakes
        Files.delete(aptLog);
        Launch again = launch("validate");
        assertEquals(0, again.exitCode, again::toString);
        assertFalse(Files.exists(aptLog), again::toString);
        assertTrue(again.output.contains("dev.ferry.cli.FerryCli validate"), again::toString);
    }

    private record Launch(int exitCode, String output) {
    }

    private Launch launch(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(onPath("bash").toString(), checkout.resolve("ferry").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.environment().put("PATH", bin.toString());
        pb.environment().remove("FERRY_JAVA_OPTS");
        Process p = pb.start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher did not finish");
        return new Launch(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private void script(String name, String body) throws Exception {
        Path s = bin.resolve(name);
        Files.deleteIfExists(s);
        Files.writeString(s, "#!/bin/bash\nexport PATH=/usr/bin:/bin\n" + body + "\n");
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Path onPath(String tool) {
        for (String d : System.getenv("PATH").split(File.pathSeparator)) {
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException(tool + " is not on PATH");
    }

    private static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("ferry"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no ferry launcher above " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
