package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.DhchapKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry nvme host allow ... --dhchap-secret-file / --dhchap-ctrl-secret-file} against a real {@code ferry
 * serve}: DHHC-1 secrets from a file or standard input are checked on the way in, kept in 0600 files, and appear
 * in no output and no configuration.
 */
class NvmeDhchapCommandTest {
    static final String NQN = "nqn.2026-11.dev.ferry:dhchap";
    static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:0f0e0d0c-0b0a-0908-0706-050403020100";

    @TempDir
    Path dir;

    static String newSecret() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return new DhchapKey(1, k).format();
    }

    @Test
    void secretsAreValidatedStoredPrivatelyAndNeverShown() throws Exception {
        Path config = dir.resolve("ferry.json");
        Files.writeString(config, "{\"backstores\": [], \"targets\": []}");
        Path socket = dir.resolve("ferry.sock");
        String hostSecret = newSecret();
        String ctrlSecret = newSecret();
        Path hostFile = Files.writeString(dir.resolve("host.key"), hostSecret + "\n");
        Path notDhchap = Files.writeString(dir.resolve("plain.key"), "just-a-chap-secret\n");
        try (Daemon d = Daemon.start(Daemon.fromClassPath(), config, socket, dir.resolve("daemon.log"))) {
            ok(socket, "nvme", "subsystem", "create", NQN, "--port", "127.0.0.1:" + Tool.freePort());

            CliRun bad = admin(socket, "nvme", "host", "allow", NQN, HOST, "--dhchap-secret-file", notDhchap.toString());
            assertEquals(3, bad.exitCode(), bad::toString);
            assertTrue(bad.err().contains("targets[0].acls[0].dhchapSecretFile: the secret in " + notDhchap
                    + ": not a DHHC-1 secret"), bad::toString);
            assertFalse(bad.err().contains("just-a-chap-secret"), bad::toString);

            CliRun ctrlOnly = admin(socket, "nvme", "host", "allow", NQN, HOST, "--dhchap-ctrl-secret-file",
                    hostFile.toString());
            assertEquals(3, ctrlOnly.exitCode(), ctrlOnly::toString);
            assertTrue(ctrlOnly.err().contains("needs --dhchap-secret-file"), ctrlOnly::toString);

            String corrupt = hostSecret.substring(0, 20) + (hostSecret.charAt(20) == 'A' ? 'B' : 'A')
                    + hostSecret.substring(21);
            Tool badStdin = Tool.withInput(corrupt + "\n", cli(socket, "nvme", "host", "allow", NQN, HOST,
                    "--dhchap-secret-file", hostFile.toString(), "--dhchap-ctrl-secret-file", "-"));
            assertEquals(3, badStdin.exitCode(), badStdin.output());
            assertTrue(badStdin.output().contains("the DH-HMAC-CHAP secret on standard input"), badStdin.output());
            assertFalse(badStdin.output().contains(corrupt), badStdin.output());

            Tool good = Tool.withInput(ctrlSecret + "\n", cli(socket, "nvme", "host", "allow", NQN, HOST,
                    "--dhchap-secret-file", hostFile.toString(), "--dhchap-ctrl-secret-file", "-"));
            assertEquals(0, good.exitCode(), good.output());
            assertTrue(good.output().contains("(DH-HMAC-CHAP)"), good.output());
            Path stored = dir.resolve("secrets").resolve("dhchap-ctrl-" + NQN + "-" + HOST);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(stored)));
            assertEquals(ctrlSecret, Files.readString(stored).strip());

            CliRun shown = admin(socket, "config", "show");
            assertTrue(shown.out().contains("\"dhchapSecretFile\" : \"" + hostFile + "\""), shown::toString);
            assertTrue(shown.out().contains("\"dhchapCtrlSecretFile\" : \"" + stored + "\""), shown::toString);
            for (String s : new String[] {hostSecret, ctrlSecret}) {
                assertFalse(shown.out().contains(s) || Files.readString(config).contains(s)
                        || Files.readString(dir.resolve("daemon.log")).contains(s), "a secret leaked");
            }
        }
    }

    private static void ok(Path socket, String... args) {
        CliRun r = admin(socket, args);
        assertEquals(0, r.exitCode(), r::toString);
    }

    private static CliRun admin(Path socket, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--control-socket", socket.toString()));
        return CliRun.of(all.toArray(String[]::new));
    }

    private static String[] cli(Path socket, String... args) {
        List<String> argv = new ArrayList<>(Daemon.fromClassPath());
        argv.addAll(List.of(args));
        argv.addAll(List.of("--control-socket", socket.toString()));
        return argv.toArray(String[]::new);
    }
}
