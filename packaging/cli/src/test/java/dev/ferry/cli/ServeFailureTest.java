package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A valid configuration that cannot start exits with 4 and says why. */
class ServeFailureTest {
    @TempDir
    Path dir;

    @Test
    void aPortalThatIsInUseExitsWithFour() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path config = dir.resolve("ferry.json");
            Files.writeString(config, """
                    {"backstores": [{"name": "r", "type": "ram", "size": "1M"}],
                     "targets": [{"name": "iqn.2026-11.dev.ferry:t", "portals": ["127.0.0.1:%d"],
                                  "luns": [{"id": 0, "backstore": "r"}], "allowAnyInitiator": true}]}
                    """.formatted(taken.getLocalPort()));
            CliRun r = CliRun.of("serve", "--config", config.toString());
            assertEquals(4, r.exitCode(), r::toString);
            assertTrue(r.err().startsWith("ferry: cannot start: "), r::toString);
        }
    }
}
