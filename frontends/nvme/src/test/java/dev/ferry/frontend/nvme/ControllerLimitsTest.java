package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ferry.frontend.nvme.spec.Status;
import org.junit.jupiter.api.Test;

/**
 * Connect creates controllers within {@link ControllerLimits}, per subsystem and per host, each subsystem with its
 * own CNTLID space; beyond them it answers Connect Controller Busy and a freed controller makes room again.
 */
class ControllerLimitsTest {
    static final String A = "nqn.2014-08.org.example:a";
    static final String B = "nqn.2014-08.org.example:b";
    static final String C = "nqn.2014-08.org.example:c";

    static ModelHarness.Done connect(ModelHarness h, String subnqn, String host) throws Exception {
        return h.queue().run(ModelHarness.connect(0, 31, 0), ModelHarness.connectData(0xFFFF, subnqn, host));
    }

    @Test
    void theDiscoverySubsystemAnyHostReachesIsLimitedPerHostAndInAll() throws Exception {
        try (ModelHarness h = new ModelHarness(new ControllerLimits(3, 2), 512)) {
            String d = NvmeTarget.DISCOVERY_NQN;
            ModelHarness.FakeQueue first = h.queue();
            assertEquals(Status.SUCCESS, first.run(ModelHarness.connect(0, 31, 0),
                    ModelHarness.connectData(0xFFFF, d, A)).status());
            assertEquals(Status.SUCCESS, connect(h, d, A).status());
            assertEquals(Status.CONNECT_CONTROLLER_BUSY, connect(h, d, A).status(), "host A has its two");
            assertEquals(Status.SUCCESS, connect(h, d, B).status());
            assertEquals(Status.CONNECT_CONTROLLER_BUSY, connect(h, d, C).status(), "the subsystem has its three");
            assertEquals(Status.CONNECT_CONTROLLER_BUSY, connect(h, d, A.toUpperCase()).status(),
                    "NQNs compare without case");
            assertEquals(3, h.target.controllers().size());

            ModelHarness.Done io = connect(h, ModelHarness.NQN, ModelHarness.HOST);
            assertEquals(Status.SUCCESS, io.status(), "another subsystem has its own share");
            assertEquals(1, io.result(), "and its own CNTLID space");

            first.connectionClosed();
            assertEquals(Status.SUCCESS, connect(h, d, C).status(), "a freed controller makes room");
        }
    }

    @Test
    void ioQueuesFindTheirControllerInTheirOwnSubsystem() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue disc = h.admin(NvmeTarget.DISCOVERY_NQN, A, 0);
            ModelHarness.FakeQueue admin = h.admin(0);
            assertEquals(1, h.cntlid(disc));
            assertEquals(1, h.cntlid(admin), "CNTLIDs are per subsystem");
            byte[] data = ModelHarness.connectData(1, ModelHarness.NQN, ModelHarness.HOST);
            assertEquals(Status.SUCCESS, h.queue().run(ModelHarness.connect(1, 127, 0), data).status());
            byte[] toDiscovery = ModelHarness.connectData(1, NvmeTarget.DISCOVERY_NQN, A);
            assertEquals(Status.CONNECT_INVALID_PARAMETERS, h.queue().run(ModelHarness.connect(1, 127, 0),
                    toDiscovery).status(), "a discovery controller has no I/O queues");
        }
    }

    @Test
    void aDiscoveryControllerWithoutKeepAliveStillTimesOut() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue disc = h.admin(NvmeTarget.DISCOVERY_NQN, A, 0);
            assertEquals(Limits.DISCOVERY_KEEP_ALIVE_MILLIS, disc.run(AdminCommandsTest.getFeature(0x0F), null)
                    .result(), "KATO 0 on discovery is two minutes");
            disc.run(AdminCommandsTest.setFeature(0x0F, 0), null);
            assertEquals(Limits.DISCOVERY_KEEP_ALIVE_MILLIS, disc.run(AdminCommandsTest.getFeature(0x0F), null)
                    .result(), "Set Features cannot turn it off either");
            ModelHarness.FakeQueue io = h.admin(0);
            assertEquals(0, io.run(AdminCommandsTest.getFeature(0x0F), null).result(), "an I/O controller may");
        }
    }

    @Test
    void limitsOutsideTheCntlidSpaceAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ControllerLimits(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ControllerLimits(0xFFF0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ControllerLimits(8, 9));
    }
}
