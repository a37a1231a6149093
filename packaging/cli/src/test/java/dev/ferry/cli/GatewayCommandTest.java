package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.backend.rbd.CephCluster;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code ferry gateway create|join|leave|status} against a real single-node Ceph cluster (cephx on). */
class GatewayCommandTest {
    private static CephCluster ceph;

    @BeforeAll
    static void startCeph() throws Exception {
        ceph = CephCluster.start(true);
    }

    @AfterAll
    static void stopCeph() {
        if (ceph != null) {
            ceph.close();
        }
    }

    private static CliRun gateway(String... args) {
        List<String> all = new ArrayList<>(List.of("gateway"));
        all.addAll(List.of(args));
        all.addAll(List.of("--conf", ceph.conf, "--keyring", ceph.keyring));
        return CliRun.of(all.toArray(String[]::new));
    }

    @Test
    void createsAGroupAddsAndRemovesMembersAndShowsTheirStatus() throws Exception {
        CliRun missing = gateway("join", "rbd/gw1", "--member", "n1", "--portal", "10.0.0.1:3260");
        assertEquals(ExitCodes.INVALID_CONFIG, missing.exitCode(), missing::toString);
        assertTrue(missing.err().contains("no gateway group rbd/gw1"), missing::toString);

        assertEquals(ExitCodes.OK, gateway("create", "rbd/gw1").exitCode());
        CliRun again = gateway("create", "rbd/gw1");
        assertEquals(ExitCodes.INVALID_CONFIG, again.exitCode(), again::toString);

        assertEquals(ExitCodes.OK, gateway("join", "rbd/gw1", "--member", "n1", "--portal", "10.0.0.1:3260",
                "--portal", "10.0.0.1:4420").exitCode());
        assertEquals(ExitCodes.OK, gateway("join", "rbd/gw1", "--member", "n2", "--portal", "10.0.0.2:3260")
                .exitCode());
        CliRun text = gateway("status", "rbd/gw1");
        assertEquals(ExitCodes.OK, text.exitCode(), text::toString);
        assertTrue(text.out().contains("n1               expired  no      10.0.0.1:3260,10.0.0.1:4420"),
                text::toString);

        assertEquals(ExitCodes.OK, gateway("leave", "rbd/gw1", "--member", "n1").exitCode());
        CliRun json = gateway("status", "rbd/gw1", "-o", "json");
        JsonNode members = new ObjectMapper().readTree(json.out());
        assertEquals(1, members.size(), json::toString);
        assertEquals("n2", members.get(0).get("name").asText());
        assertEquals("10.0.0.2:3260", members.get(0).get("portals").get(0).asText());

        CliRun gone = gateway("leave", "rbd/gw1", "--member", "n1");
        assertEquals(ExitCodes.INVALID_CONFIG, gone.exitCode(), gone::toString);
        CliRun bad = CliRun.of("gateway", "status", "gw1");
        assertEquals(ExitCodes.USAGE, bad.exitCode(), bad::toString);
        CliRun badMember = gateway("join", "rbd/gw1", "--member", "n/3", "--portal", "10.0.0.3:3260");
        assertEquals(ExitCodes.USAGE, badMember.exitCode(), badMember::toString);
        assertTrue(badMember.err().contains("member name 'n/3' must be"), badMember::toString);
    }
}
