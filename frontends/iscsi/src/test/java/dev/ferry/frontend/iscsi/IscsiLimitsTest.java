package dev.ferry.frontend.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.IscsiTargetConfig;
import dev.ferry.core.config.Portal;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.InitiatorAccess;
import dev.ferry.core.unit.UnitRegistry;
import dev.ferry.frontend.iscsi.login.NegotiationLimits;
import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.LoginPdu;
import dev.ferry.frontend.iscsi.pdu.NopPdu;
import dev.ferry.frontend.iscsi.pdu.Opcode;
import dev.ferry.frontend.iscsi.pdu.ScsiCommandPdu;
import dev.ferry.frontend.iscsi.pdu.ScsiResponsePdu;
import dev.ferry.frontend.iscsi.pdu.TargetPdu;
import dev.ferry.frontend.scsi.ScsiResponse;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A target's configured iSCSI settings over real TCP: negotiation offers, session limit, CmdSN window. */
class IscsiLimitsTest {
    static final String TARGET = "iqn.2026-11.dev.ferry:limits";
    static final String INITIATOR = "iqn.2026-11.dev.ferry:client";
    static final long LUN0 = 0;

    final UnitRegistry registry = new UnitRegistry();
    final FakeCommandSet fake = new FakeCommandSet();
    IscsiFrontend frontend;
    InetSocketAddress address;

    void start(IscsiTargetConfig settings) throws Exception {
        publish(settings);
        frontend = new IscsiFrontend(registry, NegotiationLimits.DEFAULT, 30, e -> fake);
        frontend.start();
        address = frontend.boundAddresses().get(0);
    }

    /** Publishes the target with these settings (its portal stays the same, so it stays bound). */
    void publish(IscsiTargetConfig settings) throws Exception {
        registry.replace(Map.of(), List.of(new Export(TARGET, "iscsi", null, List.of(new Portal("127.0.0.1", 0)),
                new TreeMap<>(), List.<InitiatorAccess>of(), true, settings)));
        if (frontend != null) {
            frontend.exportsChanged();
        }
    }

    @AfterEach
    void stop() {
        fake.releaseHeldIfAny();
        if (frontend != null) {
            frontend.close();
        }
    }

    IscsiTestClient login(long isid) throws Exception {
        IscsiTestClient c = new IscsiTestClient(address);
        c.isid = isid;
        c.login(INITIATOR, TARGET, IscsiTestClient.defaults());
        return c;
    }

    static IscsiTargetConfig window(int commands) {
        return new IscsiTargetConfig(null, commands, null, null, null, null, null, null);
    }

    @Test
    void theLoginResponseCarriesTheTargetsOffers() throws Exception {
        start(new IscsiTargetConfig(null, null, 16384, 65536, 8192, 2, null, null));
        Map<String, String> offer = IscsiTestClient.defaults();
        offer.put("MaxOutstandingR2T", "8");
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            Map<String, String> got = c.login(INITIATOR, TARGET, offer);
            assertEquals("16384", got.get("MaxRecvDataSegmentLength"));
            assertEquals("65536", got.get("MaxBurstLength"));
            assertEquals("8192", got.get("FirstBurstLength"));
            assertEquals("2", got.get("MaxOutstandingR2T"));
            assertEquals("Yes", got.get("ImmediateData"));
            assertEquals("No", got.get("InitialR2T"));
            // A 200 KiB write now comes in R2T bursts of at most 64 KiB and still lands whole.
            byte[] data = new byte[200 * 1024];
            new java.util.Random(7).nextBytes(data);
            assertEquals(ScsiResponse.GOOD, c.command(LUN0, IscsiTestClient.write10(0, 400), data.length, false, data).status());
            assertEquals(ScsiResponse.GOOD, c.command(LUN0, IscsiTestClient.read10(0, 400), data.length, true, null).status());
            assertTrue(java.util.Arrays.equals(data, java.util.Arrays.copyOf(fake.disk, data.length)));
        }
    }

    @Test
    void initialR2tAndNoImmediateDataMakeFirstBurstIrrelevant() throws Exception {
        start(new IscsiTargetConfig(null, null, null, null, null, null, false, true));
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            Map<String, String> got = c.login(INITIATOR, TARGET, IscsiTestClient.defaults());
            assertEquals("No", got.get("ImmediateData"));
            assertEquals("Yes", got.get("InitialR2T"));
            assertEquals("Irrelevant", got.get("FirstBurstLength"));
        }
    }

    @Test
    void aSessionBeyondMaxSessionsIsRefusedOutOfResources() throws Exception {
        start(new IscsiTargetConfig(1, null, null, null, null, null, null, null));
        try (LogCapture log = new LogCapture(); IscsiTestClient first = login(0x400001230001L)) {
            try (IscsiTestClient discovery = new IscsiTestClient(address)) {
                discovery.login(INITIATOR, null, IscsiTestClient.defaults()); // discovery sessions do not count
            }
            IscsiTestClient.LoginFailed refused;
            try (IscsiTestClient second = new IscsiTestClient(address)) {
                second.isid = 0x400001230002L;
                refused = assertThrows(IscsiTestClient.LoginFailed.class,
                        () -> second.login(INITIATOR, TARGET, IscsiTestClient.defaults()));
                assertTrue(second.closedByTarget());
            }
            assertEquals(LoginPdu.OUT_OF_RESOURCES, refused.status, "RFC 7143 11.13.5: 0302 Out of resources");
            assertTrue(log.text().contains("result=03/02 (out of resources): target " + TARGET + " has its maximum of 1 sessions"),
                    log.text());
            assertEquals(ScsiResponse.GOOD, first.command(LUN0, new byte[16], 0, false, null).status());
            // Reinstating the one session (same ISID) replaces it rather than counting twice.
            try (IscsiTestClient again = login(0x400001230001L)) {
                assertTrue(first.closedByTarget());
                assertEquals(ScsiResponse.GOOD, again.command(LUN0, new byte[16], 0, false, null).status());
                again.logout();
            }
            awaitNoSession(); // the target ends a logged-out session once its connection closed
            try (IscsiTestClient later = login(0x400001230002L)) {
                later.logout();
            }
        }
    }

    @Test
    void maxCmdSnThrottlesAFloodingInitiator() throws Exception {
        start(window(4));
        try (IscsiTestClient c = login(0x400001230001L)) {
            assertEquals(c.cmdSn + 3, c.maxCmdSn, "the final login response opens a window of 4");
            for (int i = 0; i < 4; i++) {
                c.write(held(c, c.cmdSn++, false));
            }
            // The fifth is past MaxCmdSN: silently ignored (RFC 7143 3.2.2.1), never executed.
            byte[] fail = new byte[16];
            fail[0] = (byte) FakeCommandSet.FAIL;
            c.write(ScsiCommandPdu.create().itt(c.itt()).lun(LUN0).cmdSn(c.cmdSn).expStatSn(c.expStatSn).cdb(fail)
                    .flags(true, false, false, 1).pdu());
            IscsiPdu nopIn = ping(c);
            assertEquals(c.cmdSn, TargetPdu.expCmdSn(nopIn));
            assertEquals(c.cmdSn - 1, TargetPdu.maxCmdSn(nopIn), "a full window stays closed");
            assertEquals(List.of(FakeCommandSet.HOLD, FakeCommandSet.HOLD, FakeCommandSet.HOLD, FakeCommandSet.HOLD),
                    fake.executedOpcodes);
            fake.releaseHeld();
            for (int i = 0; i < 4; i++) {
                IscsiPdu r = c.read();
                assertEquals(Opcode.SCSI_RESPONSE, r.opcode());
                assertTrue(TargetPdu.maxCmdSn(r) - TargetPdu.expCmdSn(r) <= 3, "MaxCmdSN <= ExpCmdSN + 4 - 1");
                r.release();
            }
            assertEquals(c.cmdSn + 3, c.maxCmdSn, "the window reopens as the commands complete");
            for (int i = 0; i < 20; i++) {
                assertEquals(ScsiResponse.GOOD, c.command(LUN0, new byte[16], 0, false, null).status());
                assertTrue(c.maxCmdSn - c.cmdSn <= 3);
            }
            assertFalse(fake.executedOpcodes.contains(FakeCommandSet.FAIL));
            c.logout();
        }
    }

    @Test
    void immediateCommandsBeyondTheWindowFindTheTaskSetFull() throws Exception {
        start(window(2));
        try (IscsiTestClient c = login(0x400001230001L)) {
            c.write(held(c, c.cmdSn++, false));
            c.write(held(c, c.cmdSn++, false));
            c.write(held(c, c.cmdSn, true)); // the one immediate command the window must still take
            int itt = c.itt();
            c.write(ScsiCommandPdu.create().itt(itt).lun(LUN0).cmdSn(c.cmdSn).expStatSn(c.expStatSn)
                    .cdb(new byte[16]).flags(true, false, false, 1).pdu().immediate(true));
            IscsiPdu r = c.read();
            assertEquals(Opcode.SCSI_RESPONSE, r.opcode());
            assertEquals(itt, r.itt());
            assertEquals(ScsiResponse.TASK_SET_FULL, new ScsiResponsePdu(r).status());
            r.release();
            assertEquals(3, fake.executedOpcodes.size());
            fake.releaseHeld();
            for (int i = 0; i < 3; i++) {
                c.read().release();
            }
            assertEquals(ScsiResponse.GOOD, c.command(LUN0, new byte[16], 0, false, null).status());
        }
    }

    @Test
    void aChangedSettingAppliesToNewLoginsOnly() throws Exception {
        start(window(4));
        try (IscsiTestClient before = login(0x400001230001L)) {
            publish(window(32));
            try (IscsiTestClient after = login(0x400001230002L)) {
                assertEquals(after.cmdSn + 31, after.maxCmdSn);
                assertEquals(ScsiResponse.GOOD, before.command(LUN0, new byte[16], 0, false, null).status());
                assertEquals(before.cmdSn + 3, before.maxCmdSn, "the older session keeps its window");
                after.logout();
            }
            before.logout();
        }
    }

    private void awaitNoSession() throws InterruptedException {
        for (int i = 0; i < 500 && frontend.sessionCount() > 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(0, frontend.sessionCount());
    }

    private static IscsiPdu held(IscsiTestClient c, int cmdSn, boolean immediate) {
        byte[] hold = new byte[16];
        hold[0] = (byte) FakeCommandSet.HOLD;
        return ScsiCommandPdu.create().itt(c.itt()).lun(LUN0).cmdSn(cmdSn).expStatSn(c.expStatSn).cdb(hold)
                .flags(true, false, false, 1).pdu().immediate(immediate);
    }

    /** An immediate NOP-Out; returns the NOP-In that answers it. */
    private static IscsiPdu ping(IscsiTestClient c) throws Exception {
        int itt = c.itt();
        c.write(NopPdu.nopOut(itt, IscsiPdu.RESERVED_TAG, c.cmdSn, c.expStatSn, true));
        List<IscsiPdu> other = new ArrayList<>();
        while (true) {
            IscsiPdu p = c.read();
            if (p.opcode() == Opcode.NOP_IN && p.itt() == itt) {
                other.forEach(IscsiPdu::release);
                assertTrue(other.isEmpty(), "nothing else answered: " + other);
                return p;
            }
            other.add(p);
        }
    }
}
