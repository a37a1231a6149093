package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.DhchapKey;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.InitiatorAccess;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.frontend.nvme.auth.AuthSpec;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A host that connects and never finishes authenticating loses the queue at the transaction's absolute deadline,
 * whatever its KATO (0 here, so no keep-alive would ever end it). The clock is passed in: nothing waits.
 */
class AuthenticationDeadlineTest {
    static final long TIMEOUT_NANOS = AuthSpec.TRANSACTION_TIMEOUT_MILLIS * 1_000_000L;

    @Test
    void anUnfinishedAuthenticationClosesTheQueueAtItsDeadline() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            TreeMap<Long, LogicalUnit> ns = new TreeMap<>();
            ns.put(1L, h.units.get("disk0"));
            InitiatorAccess.DhchapSecrets secrets = new InitiatorAccess.DhchapSecrets(
                    new DhchapKey(1, new byte[32]), null);
            h.registry.replace(h.units, List.of(new Export(ModelHarness.NQN, "nvme", null, h.portals, ns,
                    List.of(new InitiatorAccess(ModelHarness.HOST, null, null, null, secrets)), false)));
            h.target.exportsChanged();

            ModelHarness.FakeQueue q = h.queue();
            long before = System.nanoTime();
            ModelHarness.Done c = q.run(ModelHarness.connect(0, 31, 0),
                    ModelHarness.connectData(0xFFFF, ModelHarness.NQN, ModelHarness.HOST));
            long after = System.nanoTime();
            assertEquals(0, c.status());
            assertEquals(AuthSpec.CONNECT_AUTHREQ_ATR, c.result() & AuthSpec.CONNECT_AUTHREQ_ATR);
            assertEquals(AuthSpec.AUTHENTICATION_REQUIRED,
                    q.run(ModelHarness.propertySet(ControllerProperties.CC, ModelHarness.CC_ENABLE), null).status());

            Controller controller = q.queue.controller();
            controller.closeExpiredAuthentications(before + TIMEOUT_NANOS - 1);
            assertFalse(q.closed, "before the deadline");
            controller.closeExpiredAuthentications(after + TIMEOUT_NANOS + 1);
            assertTrue(q.closed, "past the deadline the queue goes");
        }
    }
}
