package dev.ferry.frontend.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.Portal;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.UnitRegistry;
import dev.ferry.frontend.iscsi.login.NegotiationLimits;
import dev.ferry.frontend.iscsi.login.TextKeys;
import dev.ferry.core.buffer.Crc32c;
import dev.ferry.frontend.iscsi.pdu.DataInPdu;
import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.LoginPdu;
import dev.ferry.frontend.iscsi.pdu.NopPdu;
import dev.ferry.frontend.iscsi.pdu.Opcode;
import dev.ferry.frontend.iscsi.pdu.RejectPdu;
import dev.ferry.frontend.iscsi.pdu.ScsiCommandPdu;
import dev.ferry.frontend.iscsi.pdu.TargetPdu;
import dev.ferry.frontend.iscsi.pdu.TaskMgmtPdu;
import dev.ferry.frontend.iscsi.pdu.TextPdu;
import dev.ferry.frontend.scsi.ScsiResponse;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The transport over real TCP against a scripted command set. */
class IscsiTransportTest {
    static final String TARGET = TestTargets.TARGET;
    static final String INITIATOR = "iqn.2026-11.dev.ferry:client";
    static final long LUN0 = 0;
    static final long LUN1 = 1L << 48;

    FakeCommandSet fake;
    IscsiFrontend frontend;
    InetSocketAddress address;

    @BeforeEach
    void start() throws Exception {
        start(30);
    }

    void start(int idleSeconds) throws Exception {
        if (frontend != null) {
            frontend.close();
        }
        UnitRegistry registry = new UnitRegistry();
        List<Portal> portals = List.of(new Portal("127.0.0.1", 0));
        registry.replace(Map.of(), List.of(
                new Export(TARGET, "iscsi", "test alias", portals, new TreeMap<>(), Set.of(), true),
                new Export(TestTargets.LOCKED, "iscsi", null, portals, new TreeMap<>(),
                        Set.of(TestTargets.ALLOWED_INITIATOR), false)));
        fake = new FakeCommandSet();
        frontend = new IscsiFrontend(registry, NegotiationLimits.DEFAULT, idleSeconds, e -> fake);
        frontend.start();
        assertEquals(1, frontend.boundAddresses().size(), "portals are deduplicated");
        address = frontend.boundAddresses().get(0);
        assertNotEquals(0, address.getPort());
    }

    @AfterEach
    void stop() {
        frontend.close();
    }

    IscsiTestClient login() throws Exception {
        IscsiTestClient c = new IscsiTestClient(address);
        c.login(INITIATOR, TARGET, IscsiTestClient.defaults());
        return c;
    }

    @Test
    void negotiatedValuesFollowTheResultFunctions() throws Exception {
        try (IscsiTestClient c = login()) {
            Map<String, String> k = c.negotiated;
            assertEquals("1", k.get("TargetPortalGroupTag"));
            assertEquals("test alias", k.get("TargetAlias"));
            assertEquals("262144", k.get("MaxRecvDataSegmentLength"));
            assertEquals("No", k.get("InitialR2T"));
            assertEquals("Yes", k.get("ImmediateData"));
            assertEquals("262144", k.get("MaxBurstLength"));
            assertEquals("65536", k.get("FirstBurstLength"));
            assertEquals("0", k.get("ErrorRecoveryLevel"));
            assertNotEquals(0, c.tsih);
            c.logout();
        }
    }

    @Test
    void discoverySendTargets() throws Exception {
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            c.login(INITIATOR, null, IscsiTestClient.defaults());
            IscsiPdu req = TextPdu.request(true, false, c.itt(), IscsiPdu.RESERVED_TAG, c.cmdSn, c.expStatSn);
            req.data(Unpooled.copiedBuffer("SendTargets=All\0", StandardCharsets.UTF_8));
            c.write(req);
            IscsiPdu r = c.read();
            assertEquals(Opcode.TEXT_RESPONSE, r.opcode());
            byte[] b = new byte[r.data().readableBytes()];
            r.data().getBytes(0, b);
            List<Map.Entry<String, String>> keys = TextKeys.parse(b);
            // The locked target is not visible to this initiator.
            assertEquals(List.of(Map.entry("TargetName", TARGET),
                    Map.entry("TargetAddress", "127.0.0.1:" + address.getPort() + ",1")), keys);
            c.logout();
        }
    }

    @Test
    void loginFailures() throws Exception {
        assertEquals(LoginPdu.NOT_FOUND, failedLogin(INITIATOR, "iqn.2026-11.dev.ferry:nope"));
        assertEquals(LoginPdu.AUTHORIZATION_FAILURE, failedLogin(INITIATOR, TestTargets.LOCKED));
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            c.login(TestTargets.ALLOWED_INITIATOR, TestTargets.LOCKED, IscsiTestClient.defaults());
        }
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            IscsiPdu r = c.loginStep(LoginPdu.stageFlags(true, false, 0, 1),
                    Map.of("SessionType", "Normal", "TargetName", TARGET));
            assertEquals(LoginPdu.MISSING_PARAMETER, LoginPdu.status(r));
            assertTrue(c.closedByTarget());
        }
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            IscsiPdu p = LoginPdu.request(LoginPdu.stageFlags(true, false, 0, 1), c.isid, 0, 1, 0, 1, 0);
            p.put8(LoginPdu.OFFSET_VERSION_MAX, 5).put8(LoginPdu.OFFSET_VERSION_MIN, 2);
            p.data(IscsiTestClient.text(Map.of("InitiatorName", INITIATOR, "TargetName", TARGET)));
            c.write(p);
            assertEquals(LoginPdu.UNSUPPORTED_VERSION, LoginPdu.status(c.read()));
        }
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            // A key repeated in the same login (RFC 7143 6.2) is an initiator error.
            IscsiPdu r = c.loginStep(LoginPdu.stageFlags(false, false, 1, 0),
                    Map.of("InitiatorName", INITIATOR, "TargetName", TARGET, "MaxBurstLength", "8192"));
            assertEquals(0, LoginPdu.status(r));
            r = c.loginStep(LoginPdu.stageFlags(true, false, 1, 3), Map.of("MaxBurstLength", "8192"));
            assertEquals(LoginPdu.INITIATOR_ERROR, LoginPdu.status(r));
        }
        try (IscsiTestClient a = login(); IscsiTestClient c = new IscsiTestClient(address)) {
            // MaxConnections=1: a second connection to a live session is refused; an unknown TSIH does not exist.
            c.isid = a.isid;
            c.tsih = a.tsih;
            assertEquals(LoginPdu.TOO_MANY_CONNECTIONS, assertThrows(IscsiTestClient.LoginFailed.class,
                    () -> c.login(INITIATOR, TARGET, IscsiTestClient.defaults())).status);
        }
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            c.tsih = 999;
            assertEquals(LoginPdu.SESSION_DOES_NOT_EXIST, assertThrows(IscsiTestClient.LoginFailed.class,
                    () -> c.login(INITIATOR, TARGET, IscsiTestClient.defaults())).status);
        }
        // The target still works for others.
        try (IscsiTestClient c = login()) {
            c.logout();
        }
    }

    int failedLogin(String initiator, String target) throws Exception {
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            IscsiTestClient.LoginFailed e = assertThrows(IscsiTestClient.LoginFailed.class,
                    () -> c.login(initiator, target, IscsiTestClient.defaults()));
            assertTrue(c.closedByTarget());
            return e.status;
        }
    }

    @Test
    void loginTextSpanningPdus() throws Exception {
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            byte[] all = ("InitiatorName=" + INITIATOR + "\0SessionType=Normal\0TargetName=" + TARGET
                    + "\0AuthMethod=None\0").getBytes(StandardCharsets.UTF_8);
            int half = 20; // splits inside a key=value pair
            IscsiPdu p = LoginPdu.request(LoginPdu.stageFlags(false, true, 0, 0), c.isid, 0, 1, 0, 1, 0);
            p.data(Unpooled.wrappedBuffer(all, 0, half));
            c.write(p);
            IscsiPdu r = c.read();
            assertEquals(0, LoginPdu.status(r));
            assertEquals(0, r.dataSegmentLength());
            assertFalse(LoginPdu.transit(r));
            p = LoginPdu.request(LoginPdu.stageFlags(true, false, 0, 1), c.isid, 0, 1, 0, 1, c.expStatSn);
            p.data(Unpooled.wrappedBuffer(all, half, all.length - half));
            c.write(p);
            r = c.read();
            assertEquals(0, LoginPdu.status(r));
            assertTrue(LoginPdu.transit(r));
            assertEquals(1, LoginPdu.nsg(r));
            assertEquals("None", IscsiTestClient.keys(r).get("AuthMethod"));
            r = c.loginStep(LoginPdu.stageFlags(true, false, 1, 3), IscsiTestClient.defaults());
            assertEquals(0, LoginPdu.status(r));
            assertTrue(LoginPdu.transit(r));
            assertEquals(3, LoginPdu.nsg(r));
            assertNotEquals(0, LoginPdu.tsih(r));
        }
    }

    @Test
    void writeWithImmediateUnsolicitedAndR2tThenReadBack() throws Exception {
        Map<String, String> ops = IscsiTestClient.defaults();
        ops.put("MaxRecvDataSegmentLength", "8192"); // forces Data-In to split
        ops.put("MaxBurstLength", "65536");
        ops.put("FirstBurstLength", "16384");
        ops.put("MaxOutstandingR2T", "4");
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            c.login(INITIATOR, TARGET, ops);
            byte[] data = new byte[300 * 512];
            new Random(7).nextBytes(data);
            IscsiTestClient.Result w = c.command(LUN0, IscsiTestClient.write10(16, 300), data.length, false, data);
            assertEquals(ScsiResponse.GOOD, w.status());
            assertArrayEquals(data, java.util.Arrays.copyOfRange(fake.disk, 16 * 512, 16 * 512 + data.length));
            IscsiTestClient.Result r = c.command(LUN0, IscsiTestClient.read10(16, 300), data.length, true, null);
            assertEquals(ScsiResponse.GOOD, r.status());
            assertArrayEquals(data, r.data());
            // Underflow: the initiator expects more than the command moves.
            r = c.command(LUN0, IscsiTestClient.read10(16, 2), 4096, true, null);
            assertEquals(1024, r.data().length);
            assertTrue(r.underflow());
            assertEquals(3072, r.residual());
            c.logout();
        }
    }

    @Test
    void unsolicitedDataOutWithinFirstBurst() throws Exception {
        Map<String, String> ops = IscsiTestClient.defaults();
        ops.put("ImmediateData", "No");
        ops.put("FirstBurstLength", "8192");
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            c.login(INITIATOR, TARGET, ops);
            byte[] data = new byte[32 * 512];
            new Random(3).nextBytes(data);
            int itt = c.itt();
            ScsiCommandPdu cmd = ScsiCommandPdu.create().itt(itt).lun(LUN0).expectedDataTransferLength(data.length)
                    .cmdSn(c.cmdSn++).expStatSn(c.expStatSn).cdb(IscsiTestClient.write10(0, 32)).flags(false, false, true, 1);
            c.write(cmd.pdu());
            for (int off = 0; off < 8192; off += 4096) {
                c.write(dev.ferry.frontend.iscsi.pdu.DataOutPdu.create().itt(itt).lun(LUN0).ttt(IscsiPdu.RESERVED_TAG)
                        .bufferOffset(off).dataSn(off / 4096).finalBit(off + 4096 == 8192).pdu()
                        .data(Unpooled.wrappedBuffer(data, off, 4096)));
            }
            IscsiPdu r2t = c.read();
            assertEquals(Opcode.R2T, r2t.opcode());
            assertEquals(8192, new dev.ferry.frontend.iscsi.pdu.R2tPdu(r2t).bufferOffset());
            assertEquals(8192, new dev.ferry.frontend.iscsi.pdu.R2tPdu(r2t).desiredLength());
            c.write(dev.ferry.frontend.iscsi.pdu.DataOutPdu.create().itt(itt).lun(LUN0)
                    .ttt(new dev.ferry.frontend.iscsi.pdu.R2tPdu(r2t).ttt()).bufferOffset(8192).finalBit(true).pdu()
                    .data(Unpooled.wrappedBuffer(data, 8192, 8192)));
            IscsiPdu resp = c.read();
            assertEquals(Opcode.SCSI_RESPONSE, resp.opcode());
            assertArrayEquals(data, java.util.Arrays.copyOf(fake.disk, data.length));
        }
    }

    @Test
    void digestsProtectHeaderAndData() throws Exception {
        Map<String, String> ops = IscsiTestClient.defaults();
        ops.put("HeaderDigest", "CRC32C,None");
        ops.put("DataDigest", "CRC32C,None");
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            c.login(INITIATOR, TARGET, ops);
            assertTrue(c.headerDigest && c.dataDigest);
            byte[] data = new byte[70000 - 70000 % 512];
            new Random(9).nextBytes(data);
            assertEquals(ScsiResponse.GOOD, c.command(LUN0, IscsiTestClient.write10(0, data.length / 512), data.length,
                    false, data).status());
            assertArrayEquals(data, c.command(LUN0, IscsiTestClient.read10(0, data.length / 512), data.length, true,
                    null).data());
            // A corrupted data digest: Reject (data digest error), and the connection stays usable.
            IscsiPdu nop = NopPdu.nopOut(c.itt(), IscsiPdu.RESERVED_TAG, c.cmdSn, c.expStatSn, true);
            nop.data(Unpooled.wrappedBuffer("ping".getBytes(StandardCharsets.UTF_8)));
            c.dataDigest = false;
            byte[] wire = wire(nop, true);
            c.dataDigest = true;
            byte[] corrupted = java.util.Arrays.copyOf(wire, wire.length + 4);
            c.writeRaw(corrupted);
            IscsiPdu rej = c.read();
            assertEquals(Opcode.REJECT, rej.opcode());
            assertEquals(RejectPdu.DATA_DIGEST_ERROR, RejectPdu.reason(rej));
            c.logout();
        }
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            c.login(INITIATOR, TARGET, ops);
            // A corrupted header digest: the connection is dropped.
            IscsiPdu nop = NopPdu.nopOut(c.itt(), IscsiPdu.RESERVED_TAG, c.cmdSn, c.expStatSn, true);
            byte[] wire = wire(nop, false);
            wire[48] ^= 0x55;
            c.writeRaw(wire);
            assertTrue(c.closedByTarget());
        }
    }

    /** BHS + header digest (+ data + padding, without data digest). */
    static byte[] wire(IscsiPdu p, boolean unused) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.writeBytes(p.bhs());
        int crc = Crc32c.of(p.bhs(), null);
        b.writeBytes(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(crc).array());
        int len = p.data().readableBytes();
        byte[] d = new byte[len];
        p.data().getBytes(0, d);
        b.writeBytes(d);
        b.write(new byte[IscsiPdu.padding(len)], 0, IscsiPdu.padding(len));
        return b.toByteArray();
    }

    @Test
    void checkConditionCarriesSense() throws Exception {
        try (IscsiTestClient c = login()) {
            byte[] cdb = new byte[16];
            cdb[0] = (byte) FakeCommandSet.FAIL;
            IscsiTestClient.Result r = c.command(LUN0, cdb, 0, false, null);
            assertEquals(ScsiResponse.CHECK_CONDITION, r.status());
            assertNotNull(r.sense());
            assertEquals(18, r.sense().length);
            assertEquals(0x70, r.sense()[0] & 0xff);
        }
    }

    @Test
    void nopOutEchoesDataAndMalformedPdusAreRejected() throws Exception {
        try (IscsiTestClient c = login()) {
            IscsiPdu nop = NopPdu.nopOut(c.itt(), IscsiPdu.RESERVED_TAG, c.cmdSn, c.expStatSn, true);
            nop.data(Unpooled.wrappedBuffer("hello".getBytes(StandardCharsets.UTF_8)));
            int itt = nop.itt();
            c.write(nop);
            IscsiPdu r = c.read();
            assertEquals(Opcode.NOP_IN, r.opcode());
            assertEquals(itt, r.itt());
            assertEquals("hello", r.data().toString(StandardCharsets.UTF_8));

            // Unknown opcode: Reject, connection stays.
            IscsiPdu bad = IscsiPdu.create(0x0f).itt(77);
            c.write(bad);
            r = c.read();
            assertEquals(Opcode.REJECT, r.opcode());
            assertEquals(RejectPdu.COMMAND_NOT_SUPPORTED, RejectPdu.reason(r));
            // SNACK at ERL 0: Reject.
            c.write(IscsiPdu.create(Opcode.SNACK_REQUEST).flags(0x80).itt(78));
            r = c.read();
            assertEquals(Opcode.REJECT, r.opcode());
            assertEquals(0x10, r.data().getByte(0) & 0x3f);
            // DataSegmentLength over our MaxRecvDataSegmentLength: Reject, bytes skipped.
            IscsiPdu big = NopPdu.nopOut(c.itt(), IscsiPdu.RESERVED_TAG, c.cmdSn, c.expStatSn, true);
            big.data(Unpooled.wrappedBuffer(new byte[262144 + 4]));
            c.write(big);
            r = c.read();
            assertEquals(Opcode.REJECT, r.opcode());
            assertEquals(RejectPdu.PROTOCOL_ERROR, RejectPdu.reason(r));
            // AHS on a NOP-Out: Reject (invalid PDU field).
            IscsiPdu ahs = NopPdu.nopOut(c.itt(), IscsiPdu.RESERVED_TAG, c.cmdSn, c.expStatSn, true).ahs(new byte[8]);
            c.write(ahs);
            r = c.read();
            assertEquals(Opcode.REJECT, r.opcode());
            assertEquals(RejectPdu.INVALID_PDU_FIELD, RejectPdu.reason(r));
            // Still alive.
            assertEquals(ScsiResponse.GOOD, c.command(LUN0, new byte[16], 0, false, null).status());
            c.logout();
        }
    }

    @Test
    void commandsRunInCmdSnOrder() throws Exception {
        try (IscsiTestClient c = login()) {
            int first = c.cmdSn;
            IscsiPdu later = ScsiCommandPdu.create().itt(c.itt()).lun(LUN0).cmdSn(first + 1).expStatSn(c.expStatSn)
                    .cdb(IscsiTestClient.read10(2, 1)).expectedDataTransferLength(512).flags(true, true, false, 1).pdu();
            IscsiPdu earlier = ScsiCommandPdu.create().itt(c.itt()).lun(LUN0).cmdSn(first).expStatSn(c.expStatSn)
                    .cdb(IscsiTestClient.read10(1, 1)).expectedDataTransferLength(512).flags(true, true, false, 1).pdu();
            c.write(later);
            Thread.sleep(100);
            assertTrue(fake.executedLbas.isEmpty(), "a command after a CmdSN gap waits");
            c.write(earlier);
            c.read();
            c.read();
            assertEquals(List.of(1L, 2L), fake.executedLbas);
            c.cmdSn = first + 2;
            // Out of window: dropped silently (3.2.2.1); the next in-window command still answers.
            c.write(ScsiCommandPdu.create().itt(c.itt()).lun(LUN0).cmdSn(c.maxCmdSn + 10).expStatSn(c.expStatSn)
                    .cdb(new byte[16]).flags(true, false, false, 1).pdu());
            assertEquals(ScsiResponse.GOOD, c.command(LUN0, new byte[16], 0, false, null).status());
            c.logout();
        }
    }

    @Test
    void abortTaskWaitsForTheBackend() throws Exception {
        try (IscsiTestClient c = login()) {
            byte[] hold = new byte[16];
            hold[0] = (byte) FakeCommandSet.HOLD;
            int heldItt = c.itt();
            int heldCmdSn = c.cmdSn++;
            c.write(ScsiCommandPdu.create().itt(heldItt).lun(LUN0).cmdSn(heldCmdSn).expStatSn(c.expStatSn).cdb(hold)
                    .flags(true, false, false, 1).pdu());
            waitFor(() -> fake.held.size() == 1);
            int tmfItt = c.itt();
            c.write(TaskMgmtPdu.request(TaskMgmtPdu.ABORT_TASK, LUN0, tmfItt, heldItt, c.cmdSn, c.expStatSn, heldCmdSn));
            c.socket.setSoTimeout(300);
            assertThrows(java.net.SocketTimeoutException.class, c::read, "no TMF response while the task is in the backend");
            c.socket.setSoTimeout(10_000);
            assertTrue(fake.held.get(0).aborted());
            fake.releaseHeld();
            IscsiPdu r = c.read();
            assertEquals(Opcode.TASK_MGMT_RESPONSE, r.opcode(), "the aborted task's response is suppressed");
            assertEquals(tmfItt, r.itt());
            assertEquals(TaskMgmtPdu.FUNCTION_COMPLETE, TaskMgmtPdu.response(r));
            // Unknown task whose CmdSN is past (it completed) or ahead of the window: Task does not exist
            // (RFC 7143 11.5.1 c).
            c.write(TaskMgmtPdu.request(TaskMgmtPdu.ABORT_TASK, LUN0, c.itt(), 0x7777, c.cmdSn, c.expStatSn, heldCmdSn));
            assertEquals(TaskMgmtPdu.TASK_DOES_NOT_EXIST, TaskMgmtPdu.response(c.read()));
            c.write(TaskMgmtPdu.request(TaskMgmtPdu.ABORT_TASK, LUN0, c.itt(), 0x7778, c.cmdSn, c.expStatSn, c.cmdSn + 1000));
            assertEquals(TaskMgmtPdu.TASK_DOES_NOT_EXIST, TaskMgmtPdu.response(c.read()));
            // No such LUN.
            c.write(TaskMgmtPdu.request(TaskMgmtPdu.LOGICAL_UNIT_RESET, 7L << 48, c.itt(), 0, c.cmdSn, c.expStatSn, 0));
            assertEquals(TaskMgmtPdu.LUN_DOES_NOT_EXIST, TaskMgmtPdu.response(c.read()));
            // LU reset and an unsupported function.
            c.write(TaskMgmtPdu.request(TaskMgmtPdu.LOGICAL_UNIT_RESET, LUN1, c.itt(), 0, c.cmdSn, c.expStatSn, 0));
            assertEquals(TaskMgmtPdu.FUNCTION_COMPLETE, TaskMgmtPdu.response(c.read()));
            assertEquals(1, fake.luResets.get());
            c.write(TaskMgmtPdu.request(TaskMgmtPdu.CLEAR_ACA, LUN0, c.itt(), 0, c.cmdSn, c.expStatSn, 0));
            assertEquals(TaskMgmtPdu.FUNCTION_NOT_SUPPORTED, TaskMgmtPdu.response(c.read()));
            assertEquals(ScsiResponse.GOOD, c.command(LUN0, new byte[16], 0, false, null).status());
            c.logout();
        }
    }

    @Test
    void abortTaskSetDropsTasksWaitingForData() throws Exception {
        Map<String, String> ops = IscsiTestClient.defaults();
        ops.put("InitialR2T", "Yes");
        ops.put("ImmediateData", "No");
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            c.login(INITIATOR, TARGET, ops);
            int itt = c.itt();
            c.write(ScsiCommandPdu.create().itt(itt).lun(LUN0).cmdSn(c.cmdSn++).expStatSn(c.expStatSn)
                    .cdb(IscsiTestClient.write10(0, 8)).expectedDataTransferLength(4096).flags(true, false, true, 1).pdu());
            assertEquals(Opcode.R2T, c.read().opcode());
            c.write(TaskMgmtPdu.request(TaskMgmtPdu.ABORT_TASK_SET, LUN0, c.itt(), 0, c.cmdSn, c.expStatSn, 0));
            IscsiPdu r = c.read();
            assertEquals(Opcode.TASK_MGMT_RESPONSE, r.opcode());
            assertEquals(TaskMgmtPdu.FUNCTION_COMPLETE, TaskMgmtPdu.response(r));
            assertFalse(fake.executedOpcodes.contains(0x2a));
            c.logout();
        }
    }

    @Test
    void sessionReinstatementClosesTheOldSession() throws Exception {
        IscsiTestClient a = login();
        IscsiTestClient b = new IscsiTestClient(address);
        b.isid = a.isid;
        b.login(INITIATOR, TARGET, IscsiTestClient.defaults());
        assertTrue(a.closedByTarget());
        waitFor(() -> fake.lost.size() == 1);
        assertEquals(INITIATOR + ",i,0x" + String.format("%012x", a.isid), fake.lost.get(0).initiatorPortName());
        assertEquals(TARGET + ",t,0x0001", fake.lost.get(0).port().targetPortName());
        assertEquals(ScsiResponse.GOOD, b.command(LUN0, new byte[16], 0, false, null).status());
        assertEquals(List.of("127.0.0.1:" + b.socket.getLocalPort()),
                frontend.liveSessions().stream().map(s -> s.address()).toList(), "the new session, from its address");
        b.logout();
        a.close();
        b.close();
        waitFor(() -> frontend.sessionCount() == 0);
    }

    @Test
    void idleConnectionsArePinged() throws Exception {
        start(1);
        try (IscsiTestClient c = login()) {
            IscsiPdu ping = c.read();
            assertEquals(Opcode.NOP_IN, ping.opcode());
            assertEquals(IscsiPdu.RESERVED_TAG, ping.itt());
            int ttt = NopPdu.ttt(ping);
            assertNotEquals(IscsiPdu.RESERVED_TAG, ttt);
            c.write(NopPdu.nopOut(IscsiPdu.RESERVED_TAG, ttt, c.cmdSn, c.expStatSn, true));
            // Answered: the next ping comes, unanswered the connection drops.
            assertEquals(Opcode.NOP_IN, c.read().opcode());
            c.socket.setSoTimeout(5000);
            assertTrue(c.closedByTarget());
        }
    }

    @Test
    void statSnAndCmdSnWindow() throws Exception {
        try (IscsiTestClient c = login()) {
            int before = c.expStatSn;
            IscsiTestClient.Result r = c.command(LUN0, new byte[16], 0, false, null);
            assertEquals(ScsiResponse.GOOD, r.status());
            assertEquals(before + 1, c.expStatSn);
            assertTrue(c.maxCmdSn - c.cmdSn >= 100, "a window of about 128 commands");
        }
    }

    @Test
    void logoutWaitsForTasksInTheBackend() throws Exception {
        try (IscsiTestClient c = login()) {
            byte[] hold = new byte[16];
            hold[0] = (byte) FakeCommandSet.HOLD;
            int heldItt = c.itt();
            c.write(ScsiCommandPdu.create().itt(heldItt).lun(LUN0).cmdSn(c.cmdSn++).expStatSn(c.expStatSn).cdb(hold)
                    .flags(true, false, false, 1).pdu());
            waitFor(() -> fake.held.size() == 1);
            c.write(dev.ferry.frontend.iscsi.pdu.LogoutPdu.request(0, c.itt(), 0, c.cmdSn, c.expStatSn));
            c.socket.setSoTimeout(300);
            assertThrows(java.net.SocketTimeoutException.class, c::read);
            c.socket.setSoTimeout(10_000);
            fake.releaseHeld();
            IscsiPdu r = c.read();
            assertEquals(Opcode.SCSI_RESPONSE, r.opcode());
            assertEquals(heldItt, r.itt());
            r = c.read();
            assertEquals(Opcode.LOGOUT_RESPONSE, r.opcode());
            assertTrue(c.closedByTarget());
        }
    }

    @Test
    void concurrentSessionsDoIndependentIo() throws Exception {
        int n = 4;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        try {
            List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                int id = i;
                results.add(pool.submit(() -> {
                    try (IscsiTestClient c = new IscsiTestClient(address)) {
                        c.isid += id;
                        c.login(INITIATOR, TARGET, IscsiTestClient.defaults());
                        byte[] data = new byte[64 * 512];
                        new Random(id).nextBytes(data);
                        for (int k = 0; k < 20; k++) {
                            int lba = id * 256;
                            assertEquals(ScsiResponse.GOOD,
                                    c.command(LUN0, IscsiTestClient.write10(lba, 64), data.length, false, data).status());
                            assertArrayEquals(data,
                                    c.command(LUN0, IscsiTestClient.read10(lba, 64), data.length, true, null).data());
                        }
                        c.logout();
                        return true;
                    }
                }));
            }
            for (var f : results) {
                assertTrue(f.get(30, java.util.concurrent.TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        waitFor(() -> frontend.sessionCount() == 0);
    }

    @Test
    void wildcardPortalAdvertisesTheAddressTheInitiatorUsed() throws Exception {
        frontend.close();
        UnitRegistry registry = new UnitRegistry();
        registry.replace(Map.of(), List.of(new Export(TARGET, "iscsi", null, List.of(new Portal("0.0.0.0", 0)),
                new TreeMap<>(), Set.of(), true)));
        frontend = new IscsiFrontend(registry, NegotiationLimits.DEFAULT, 30, e -> fake);
        frontend.start();
        int port = frontend.boundAddresses().get(0).getPort();
        try (IscsiTestClient c = new IscsiTestClient(new InetSocketAddress("127.0.0.1", port))) {
            c.login(INITIATOR, null, IscsiTestClient.defaults());
            IscsiPdu req = TextPdu.request(true, false, c.itt(), IscsiPdu.RESERVED_TAG, c.cmdSn, c.expStatSn);
            req.data(Unpooled.copiedBuffer("SendTargets=" + TARGET + "\0", StandardCharsets.UTF_8));
            c.write(req);
            Map<String, String> keys = IscsiTestClient.keys(c.read());
            assertEquals("127.0.0.1:" + port + ",1", keys.get("TargetAddress"));
        }
    }

    @Test
    void targetResets() throws Exception {
        try (IscsiTestClient c = login()) {
            c.write(TaskMgmtPdu.request(TaskMgmtPdu.TARGET_WARM_RESET, 0, c.itt(), 0, c.cmdSn, c.expStatSn, 0));
            assertEquals(TaskMgmtPdu.FUNCTION_COMPLETE, TaskMgmtPdu.response(c.read()));
            assertEquals(1, fake.targetResets.get());
            c.write(TaskMgmtPdu.request(TaskMgmtPdu.TASK_REASSIGN, 0, c.itt(), 0, c.cmdSn, c.expStatSn, 0));
            assertEquals(TaskMgmtPdu.REASSIGNMENT_NOT_SUPPORTED, TaskMgmtPdu.response(c.read()));
            c.write(TaskMgmtPdu.request(TaskMgmtPdu.TARGET_COLD_RESET, 0, c.itt(), 0, c.cmdSn, c.expStatSn, 0));
            assertEquals(TaskMgmtPdu.FUNCTION_COMPLETE, TaskMgmtPdu.response(c.read()));
            assertEquals(2, fake.targetResets.get());
            assertTrue(c.closedByTarget(), "cold reset drops the connection after the response");
        }
    }

    @Test
    void bindFailureIsReportedAndCleansUp() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            UnitRegistry registry = new UnitRegistry();
            registry.replace(Map.of(), List.of(new Export(TARGET, "iscsi", null,
                    List.of(new Portal("127.0.0.1", taken.getLocalPort())), new TreeMap<>(), Set.of(), true)));
            IscsiFrontend f = new IscsiFrontend(registry, NegotiationLimits.DEFAULT, 30, e -> fake);
            assertThrows(Exception.class, f::start);
            assertTrue(f.boundAddresses().isEmpty());
            f.close();
        }
    }

    static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long end = System.currentTimeMillis() + 5000;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("condition not reached");
            }
            Thread.sleep(10);
        }
    }
}
