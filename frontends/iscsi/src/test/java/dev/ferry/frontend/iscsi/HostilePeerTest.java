package dev.ferry.frontend.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ferry.core.buffer.IoBuffers;
import dev.ferry.core.config.Portal;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.UnitRegistry;
import dev.ferry.frontend.iscsi.login.NegotiationLimits;
import dev.ferry.frontend.iscsi.pdu.DataOutPdu;
import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.LoginPdu;
import dev.ferry.frontend.iscsi.pdu.NopPdu;
import dev.ferry.frontend.iscsi.pdu.Opcode;
import dev.ferry.frontend.iscsi.pdu.R2tPdu;
import dev.ferry.frontend.iscsi.pdu.ScsiCommandPdu;
import dev.ferry.frontend.iscsi.pdu.ScsiResponsePdu;
import dev.ferry.frontend.iscsi.session.ConnectionLimits;
import dev.ferry.frontend.scsi.ScsiResponse;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Peers that try to make the target hold resources, over real TCP: write commands without data, a command set that
 * throws an Error, logins that never finish, connection and discovery floods. Asserts on bytes, counts and states.
 */
class HostilePeerTest {
    static final String TARGET = TestTargets.TARGET;
    static final String INITIATOR = "iqn.2026-12.dev.ferry:hostile";
    static final long LUN0 = 0;
    static final int MIB = 1 << 20;

    final FakeCommandSet fake = new FakeCommandSet();
    IscsiFrontend frontend;
    InetSocketAddress address;

    void start(ConnectionLimits limits) throws Exception {
        UnitRegistry registry = new UnitRegistry();
        registry.replace(Map.of(), List.of(new Export(TARGET, "iscsi", null, List.of(new Portal("127.0.0.1", 0)),
                new TreeMap<>(), Set.of(), true)));
        frontend = new IscsiFrontend(registry, NegotiationLimits.DEFAULT, 30, limits, e -> fake);
        frontend.start();
        address = frontend.boundAddresses().get(0);
    }

    @AfterEach
    void stop() {
        fake.releaseHeldIfAny();
        if (frontend != null) {
            frontend.close();
        }
    }

    IscsiTestClient login(long isid, Map<String, String> offer) throws Exception {
        IscsiTestClient c = new IscsiTestClient(address);
        c.isid = isid;
        c.login(INITIATOR, TARGET, offer);
        return c;
    }

    /** A write command without data (F set: nothing unsolicited follows), as raw bytes. */
    static IscsiPdu writeWithoutData(IscsiTestClient c, int itt, int edtl) {
        return ScsiCommandPdu.create().itt(itt).lun(LUN0).expectedDataTransferLength(edtl).cmdSn(c.cmdSn++)
                .expStatSn(c.expStatSn).cdb(IscsiTestClient.write10(0, 0)).flags(true, false, true, 1).pdu();
    }

    /** Pings with an immediate NOP-Out and reads up to its NOP-In: everything sent before it was processed. */
    static List<IscsiPdu> sync(IscsiTestClient c) throws IOException {
        int itt = c.itt();
        c.write(NopPdu.nopOut(itt, IscsiPdu.RESERVED_TAG, c.cmdSn, c.expStatSn, true));
        List<IscsiPdu> before = new ArrayList<>();
        while (true) {
            IscsiPdu p = c.read();
            if (p.opcode() == Opcode.NOP_IN && p.itt() == itt) {
                return before;
            }
            before.add(p);
        }
    }

    /** Waits for the target to close the socket: true on EOF or reset, false if it stays open past the net. */
    static boolean closedWithin(Socket s, int millis) throws IOException {
        s.setSoTimeout(millis);
        try {
            return s.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    // ---- item 1: write data is buffered as it is solicited, within a per-connection budget ----

    @Test
    void writesWithoutDataHoldAtMostTheWriteBudget() throws Exception {
        start(ConnectionLimits.DEFAULT);
        Map<String, String> greedy = IscsiTestClient.defaults();
        greedy.put("MaxBurstLength", "16777215");
        greedy.put("MaxOutstandingR2T", "65535");
        long before = IoBuffers.usedBytes();
        try (IscsiTestClient hostile = login(0x400001230101L, greedy)) {
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int i = 0; i < 128; i++) {
                flood.writeBytes(hostile.encode(writeWithoutData(hostile, 0x1000 + i, 64 * MIB)));
            }
            hostile.writeRaw(flood.toByteArray());
            List<IscsiPdu> answers = sync(hostile);
            long held = IoBuffers.usedBytes() - before;
            // Old code: 128 x 64 MiB allocated up front. Now: the R2Ts of the one write the budget admitted.
            assertTrue(held <= ConnectionLimits.DEFAULT_WRITE_BUFFER_BYTES,
                    "write buffers held for 128 x 64 MiB writes without data: " + held + " bytes");
            long r2tBytes = answers.stream().filter(p -> p.opcode() == Opcode.R2T)
                    .mapToLong(p -> new R2tPdu(p).desiredLength()).sum();
            Set<Integer> solicited = new java.util.HashSet<>();
            answers.stream().filter(p -> p.opcode() == Opcode.R2T).forEach(p -> solicited.add(p.itt()));
            assertEquals(Set.of(0x1000), solicited, "only the first write is solicited");
            assertEquals(16L * MIB, r2tBytes, "MaxOutstandingR2T (16) x MaxBurstLength (1 MiB)");

            // A well-behaved session beside it still writes and reads back.
            try (IscsiTestClient good = login(0x400001230102L, IscsiTestClient.defaults())) {
                byte[] data = new byte[300 * 1024];
                new Random(3).nextBytes(data);
                assertEquals(ScsiResponse.GOOD,
                        good.command(LUN0, IscsiTestClient.write10(0, 600), data.length, false, data).status());
                assertEquals(ScsiResponse.GOOD,
                        good.command(LUN0, IscsiTestClient.read10(0, 600), data.length, true, null).status());
                assertArrayEquals(data, java.util.Arrays.copyOf(fake.disk, data.length));
            }
        }
    }

    @Test
    void aWriteBeyondTheBudgetWaitsForItsR2tsUntilTheEarlierOneCompletes() throws Exception {
        start(ConnectionLimits.DEFAULT.withWriteBufferBytes(MIB));
        try (IscsiTestClient c = login(0x400001230103L, IscsiTestClient.defaults())) {
            byte[] data = new byte[768 * 1024];
            new Random(5).nextBytes(data);
            c.write(writeWithoutData(c, 0xa, data.length));
            c.write(writeWithoutData(c, 0xb, data.length));
            List<Integer> r2ts = new ArrayList<>(); // the ITT of each R2T, as they come
            int responses = 0;
            while (responses < 2) {
                IscsiPdu p = c.read();
                if (p.opcode() == Opcode.R2T) {
                    R2tPdu r = new R2tPdu(p);
                    r2ts.add(p.itt());
                    DataOutPdu d = DataOutPdu.create().itt(p.itt()).lun(LUN0).ttt(r.ttt()).dataSn(0)
                            .bufferOffset(r.bufferOffset()).expStatSn(c.expStatSn).finalBit(true);
                    d.pdu().data(Unpooled.wrappedBuffer(data, r.bufferOffset(), r.desiredLength()));
                    c.write(d.pdu());
                } else {
                    assertEquals(Opcode.SCSI_RESPONSE, p.opcode());
                    assertEquals(ScsiResponse.GOOD, new ScsiResponsePdu(p).status());
                    responses++;
                }
            }
            // 768 KiB in 256 KiB bursts: B (which would take the budget past 1 MiB) is solicited only once A's data
            // is all in and its buffer released.
            assertEquals(List.of(0xa, 0xa, 0xa, 0xb, 0xb, 0xb), r2ts);
            assertArrayEquals(data, java.util.Arrays.copyOf(fake.disk, data.length), "bursts joined in order");
        }
    }

    @Test
    void unsolicitedDataBeyondTheBudgetIsPushedBackWithTaskSetFull() throws Exception {
        start(ConnectionLimits.DEFAULT.withWriteBufferBytes(MIB));
        try (IscsiTestClient c = login(0x400001230108L, IscsiTestClient.defaults())) {
            byte[] data = new byte[768 * 1024];
            new Random(9).nextBytes(data);
            c.write(writeWithoutData(c, 0xa, data.length));
            IscsiPdu r2t = c.read();
            assertEquals(Opcode.R2T, r2t.opcode());
            // 64 KiB immediate data of a 512 KiB write: 768 KiB + 512 KiB would pass the 1 MiB budget.
            ScsiCommandPdu b = ScsiCommandPdu.create().itt(0xb).lun(LUN0).expectedDataTransferLength(512 * 1024)
                    .cmdSn(c.cmdSn++).expStatSn(c.expStatSn).cdb(IscsiTestClient.write10(0, 1024));
            b.pdu().data(Unpooled.wrappedBuffer(data, 0, 65536));
            c.write(b.flags(false, false, true, 1).pdu());
            IscsiPdu full = c.read();
            assertEquals(Opcode.SCSI_RESPONSE, full.opcode());
            assertEquals(0xb, full.itt());
            assertEquals(ScsiResponse.TASK_SET_FULL, new ScsiResponsePdu(full).status());
            // The first write goes on; afterwards the retried one fits.
            R2tPdu r = new R2tPdu(r2t);
            int offset = r.bufferOffset();
            while (true) {
                DataOutPdu d = DataOutPdu.create().itt(0xa).lun(LUN0).ttt(r.ttt()).dataSn(0).bufferOffset(offset)
                        .expStatSn(c.expStatSn).finalBit(true);
                d.pdu().data(Unpooled.wrappedBuffer(data, offset, r.desiredLength()));
                c.write(d.pdu());
                IscsiPdu next = c.read();
                if (next.opcode() == Opcode.SCSI_RESPONSE) {
                    assertEquals(ScsiResponse.GOOD, new ScsiResponsePdu(next).status());
                    break;
                }
                r = new R2tPdu(next);
                offset = r.bufferOffset();
            }
            byte[] retry = java.util.Arrays.copyOf(data, 512 * 1024);
            assertEquals(ScsiResponse.GOOD,
                    c.command(LUN0, IscsiTestClient.write10(0, 1024), retry.length, false, retry).status());
        }
    }

    @Test
    void dataParkedBehindACmdSnGapIsBoundedByTheBudget() throws Exception {
        start(ConnectionLimits.DEFAULT.withWriteBufferBytes(MIB));
        try (IscsiTestClient c = login(0x400001230109L, IscsiTestClient.defaults())) {
            byte[] data = new byte[65536];
            ByteArrayOutputStream parked = new ByteArrayOutputStream();
            int gap = c.cmdSn++; // never sent: everything after it waits for it
            for (int i = 0; i < 17; i++) { // 17 x 64 KiB immediate data > 1 MiB
                ScsiCommandPdu w = ScsiCommandPdu.create().itt(0x300 + i).lun(LUN0).expectedDataTransferLength(65536)
                        .cmdSn(c.cmdSn++).expStatSn(c.expStatSn).cdb(IscsiTestClient.write10(i, 128));
                w.pdu().data(Unpooled.wrappedBuffer(data));
                parked.writeBytes(c.encode(w.flags(true, false, true, 1).pdu()));
            }
            c.writeRaw(parked.toByteArray());
            assertTrue(closedWithin(c.socket, 10_000), "closed instead of parking a 17th 64 KiB segment (gap at CmdSN "
                    + Integer.toUnsignedString(gap) + ")");
            assertTrue(fake.executedOpcodes.isEmpty());
        }
    }

    // ---- item 3: an Error ends its connection and the rest of its batch, nothing else ----

    @Test
    void anErrorWhileServingEndsThatConnectionAndTheRestOfItsBatch() throws Exception {
        start(ConnectionLimits.DEFAULT);
        try (LogCapture log = new LogCapture(); IscsiTestClient victim = login(0x400001230104L, IscsiTestClient.defaults())) {
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            for (int i = 0; i < 5; i++) {
                byte[] cdb = new byte[16];
                cdb[0] = (byte) FakeCommandSet.THROW_ERROR;
                batch.writeBytes(victim.encode(ScsiCommandPdu.create().itt(0x200 + i).lun(LUN0).cmdSn(victim.cmdSn++)
                        .expStatSn(victim.expStatSn).cdb(cdb).flags(true, false, false, 1).pdu()));
            }
            victim.writeRaw(batch.toByteArray()); // one write: decoded in one read batch
            assertTrue(closedWithin(victim.socket, 10_000), "the connection is closed");
            assertEquals(1, fake.executedOpcodes.stream().filter(op -> op == FakeCommandSet.THROW_ERROR).count(),
                    "the commands decoded with the failing one never ran");
        }
        try (IscsiTestClient other = login(0x400001230105L, IscsiTestClient.defaults())) {
            assertEquals(ScsiResponse.GOOD, other.command(LUN0, new byte[16], 0, false, null).status());
        }
    }

    // ---- item 5: the login deadline is absolute from accept ----

    static final int LOGIN_TIMEOUT_MS = 1500;

    @Test
    void aSilentConnectionIsClosedAtTheLoginDeadline() throws Exception {
        start(ConnectionLimits.DEFAULT.withLoginTimeoutMillis(LOGIN_TIMEOUT_MS));
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            assertTrue(closedWithin(s, 20_000), "never sent a byte, closed after the login timeout");
        }
    }

    @Test
    void aTricklingLoginIsClosedAtTheDeadlineEvenThoughBytesKeepComing() throws Exception {
        start(ConnectionLimits.DEFAULT.withLoginTimeoutMillis(LOGIN_TIMEOUT_MS));
        try (IscsiTestClient c = new IscsiTestClient(address)) {
            IscsiPdu login = LoginPdu.request(LoginPdu.stageFlags(true, false, 0, 1), c.isid, 0, 1, 0, 1, 0);
            login.data(Unpooled.wrappedBuffer(("InitiatorName=" + INITIATOR + "\0" + "X-pad=" + "p".repeat(8000) + "\0")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 8000));
            byte[] pdu = c.encode(login);
            c.socket.setSoTimeout(50);
            // One byte per 50 ms: an idle timer never fires; the whole PDU would take 400 s.
            for (int i = 0; i < pdu.length; i++) {
                try {
                    c.out.write(pdu[i]);
                    c.out.flush();
                } catch (IOException closed) {
                    return;
                }
                try {
                    if (c.in.read() < 0) {
                        return; // closed by the target
                    }
                    fail("the target answered a login it never fully received");
                } catch (SocketTimeoutException stillOpen) {
                    if (i * 50L > 20L * LOGIN_TIMEOUT_MS) {
                        fail("still open after " + i + " trickled bytes");
                    }
                } catch (IOException reset) {
                    return;
                }
            }
            fail("the whole PDU trickled in");
        }
    }

    @Test
    void aCompletedLoginOutlivesTheDeadline() throws Exception {
        start(ConnectionLimits.DEFAULT.withLoginTimeoutMillis(300));
        try (IscsiTestClient c = login(0x400001230106L, IscsiTestClient.defaults())) {
            assertFalse(closedWithin(c.socket, 1200), "a full feature phase connection is not timed out");
            c.socket.setSoTimeout(10_000);
            assertEquals(ScsiResponse.GOOD, c.command(LUN0, new byte[16], 0, false, null).status());
        }
    }

    // ---- the class: connections per address, discovery sessions ----

    @Test
    void connectionsBeyondThePerAddressLimitAreClosedOnAccept() throws Exception {
        start(ConnectionLimits.DEFAULT.withConnections(100, 2));
        List<IscsiTestClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                clients.add(new IscsiTestClient(address));
            }
            // Accepted connections reach the worker loops in no set order: which one is refused is open, not how many.
            List<IscsiTestClient> admitted = new ArrayList<>();
            for (IscsiTestClient c : clients) {
                try {
                    IscsiPdu r = c.loginStep(LoginPdu.stageFlags(false, false, 0, 0), Map.of("InitiatorName", INITIATOR,
                            "SessionType", "Normal", "TargetName", TARGET, "AuthMethod", "None"));
                    assertEquals(Opcode.LOGIN_RESPONSE, r.opcode());
                    admitted.add(c);
                } catch (IOException closedByTarget) {
                    // EOF or reset: refused on accept
                }
            }
            assertEquals(2, admitted.size(), "two connections from 127.0.0.1 at most");
            admitted.get(0).close();
            // Once one closed, there is room again (the count drops asynchronously: retry a few times).
            for (int attempt = 0; ; attempt++) {
                try (IscsiTestClient c = new IscsiTestClient(address)) {
                    c.login(INITIATOR, TARGET, IscsiTestClient.defaults());
                    break;
                } catch (IOException refusedYet) {
                    if (attempt == 50) {
                        throw refusedYet;
                    }
                    Thread.sleep(100);
                }
            }
        } finally {
            for (IscsiTestClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void discoverySessionsBeyondTheLimitAreOutOfResources() throws Exception {
        start(ConnectionLimits.DEFAULT.withDiscoverySessions(1));
        try (IscsiTestClient first = new IscsiTestClient(address); IscsiTestClient second = new IscsiTestClient(address)) {
            first.login(INITIATOR, null, IscsiTestClient.defaults());
            IscsiTestClient.LoginFailed refused = assertThrows(IscsiTestClient.LoginFailed.class,
                    () -> second.login(INITIATOR, null, IscsiTestClient.defaults()));
            assertEquals(LoginPdu.OUT_OF_RESOURCES, refused.status);
            // Normal sessions are not discovery sessions.
            try (IscsiTestClient normal = login(0x400001230107L, IscsiTestClient.defaults())) {
                assertEquals(ScsiResponse.GOOD, normal.command(LUN0, new byte[16], 0, false, null).status());
            }
        }
    }
}
