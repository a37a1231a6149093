package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end over a real TCP socket: {@link TargetCore} with an NVMe subsystem on a RAM backstore, driven by the
 * hand-written {@link NvmeTcpTestHost}. Status values are the 15-bit Status Field: DNR 14, SCT 10:8, SC 7:0.
 */
class NvmeTcpEndToEndTest {
    static final String NQN = "nqn.2024-01.dev.ferry:e2e";
    static final String OPEN_NQN = "nqn.2024-01.dev.ferry:open";
    static final String HIDDEN_NQN = "nqn.2024-01.dev.ferry:hidden";
    static final int CC_ENABLE = 1 | 6 << 16 | 4 << 20;
    static final int DNR = 1 << 14;
    static TargetCore core;
    static InetSocketAddress address;

    @BeforeAll
    static void start() throws Exception {
        FerryConfig config = new FerryConfig(
                List.of(new BackstoreConfig("e2e", "ram", "16M", null, null, null, null, null, null, null),
                        new BackstoreConfig("open", "ram", "1M", null, null, null, null, null, null, null),
                        new BackstoreConfig("hidden", "ram", "1M", null, null, null, null, null, null, null)),
                List.of(new TargetConfig(NQN, "nvme", List.of("127.0.0.1:0"), List.of(new LunConfig(1, "e2e")),
                                List.of(new AclConfig(NvmeTcpTestHost.HOST_NQN)), false, null),
                        // Same portal: one listener serves both. The third is for another host only.
                        new TargetConfig(OPEN_NQN, "nvme", List.of("127.0.0.1:0"), List.of(new LunConfig(1, "open")),
                                List.of(), true, null),
                        new TargetConfig(HIDDEN_NQN, "nvme", List.of("127.0.0.1:0"),
                                List.of(new LunConfig(1, "hidden")),
                                List.of(new AclConfig("nqn.2014-08.org.example:someone-else")), false, null)));
        core = TargetCore.start(config);
        address = core.frontend("nvme").boundAddresses().get(0);
    }

    @AfterAll
    static void stop() {
        core.close();
    }

    /** ICReq, Connect, enable; returns the CNTLID. */
    static int connectAdmin(NvmeTcpTestHost h, boolean digests, int kato) throws IOException {
        h.initialize(digests, digests);
        NvmeTcpTestHost.Completion c = h.execute(NvmeTcpTestHost.connectSqe(h.nextCid(), 0, 31, kato),
                NvmeTcpTestHost.connectData(0xFFFF, NQN, NvmeTcpTestHost.HOST_NQN), null);
        assertEquals(0, c.status());
        int cntlid = (int) (c.result() & 0xFFFF);
        assertEquals(0, h.execute(NvmeTcpTestHost.propertySqe(h.nextCid(), false, 0, 0x14, CC_ENABLE), null, null).status());
        return cntlid;
    }

    static NvmeTcpTestHost.Completion connectIo(NvmeTcpTestHost h, int cntlid, int qid) throws IOException {
        return h.execute(NvmeTcpTestHost.connectSqe(h.nextCid(), qid, 127, 0),
                NvmeTcpTestHost.connectData(cntlid, NQN, NvmeTcpTestHost.HOST_NQN), null);
    }

    static ByteBuffer rw(int opcode, int cid, long lba, int blocks) {
        ByteBuffer s = NvmeTcpTestHost.sqe(opcode, cid, 1);
        s.putLong(40, lba).putInt(48, blocks - 1);
        return s;
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void fullSessionWithDigests() throws IOException {
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address); NvmeTcpTestHost io = new NvmeTcpTestHost(address)) {
            NvmeTcpTestHost.Received icResp = null;
            int cntlid = connectAdmin(admin, true, 5000);
            assertTrue(admin.headerDigest() && admin.dataDigest(), "both digests negotiated");

            long cap = admin.execute(NvmeTcpTestHost.propertySqe(admin.nextCid(), true, 1, 0x00, 0), null, null).result();
            assertEquals(127, cap & 0xFFFF, "CAP.MQES");
            assertEquals(1, (cap >>> 16) & 1, "CAP.CQR");
            assertEquals(1, (cap >>> 37) & 1, "CAP.CSS NVM");
            assertEquals(0x10400, admin.execute(NvmeTcpTestHost.propertySqe(admin.nextCid(), true, 0, 0x08, 0), null, null)
                    .result() & 0xFFFFFFFFL);
            assertEquals(1, admin.execute(NvmeTcpTestHost.propertySqe(admin.nextCid(), true, 0, 0x1C, 0), null, null)
                    .result() & 1, "CSTS.RDY");

            ByteBuffer idCtrl = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(0x06, admin.nextCid(), 0), 4096);
            idCtrl.putInt(40, 1);
            NvmeTcpTestHost.Completion id = admin.execute(idCtrl, null, null);
            assertEquals(0, id.status());
            ByteBuffer data = ByteBuffer.wrap(id.data()).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(4096, id.data().length);
            assertEquals(cntlid, data.getShort(78) & 0xFFFF, "CNTLID");
            assertEquals(NQN, new String(id.data(), 768, NQN.length(), StandardCharsets.US_ASCII), "SUBNQN");
            assertEquals((64 + 8192) / 16, data.getInt(1792), "IOCCSZ");

            ByteBuffer queues = NvmeTcpTestHost.sqe(0x09, admin.nextCid(), 0);
            queues.putInt(40, 0x07).putInt(44, 1 | 1 << 16);
            assertEquals(1 | 1 << 16, admin.execute(queues, null, null).result() & 0xFFFFFFFFL, "2 queues granted");

            io.initialize(true, true);
            assertEquals(0, connectIo(io, cntlid, 1).status());

            byte[] small = random(4096, 1);
            assertEquals(0, io.execute(NvmeTcpTestHost.inCapsuleSgl(rw(0x01, io.nextCid(), 10, 8), 4096), small, null)
                    .status(), "in-capsule write");
            byte[] big = random(64 * 1024, 2);
            assertEquals(0, io.execute(NvmeTcpTestHost.transportSgl(rw(0x01, io.nextCid(), 100, 128), big.length), null, big)
                    .status(), "R2T write");

            NvmeTcpTestHost.Completion readBig = io.execute(NvmeTcpTestHost.transportSgl(rw(0x02, io.nextCid(), 100, 128),
                    big.length), null, null);
            assertEquals(0, readBig.status());
            assertArrayEquals(big, readBig.data());
            assertArrayEquals(small, io.execute(NvmeTcpTestHost.transportSgl(rw(0x02, io.nextCid(), 10, 8), 4096), null,
                    null).data());

            assertEquals(0, io.execute(NvmeTcpTestHost.inCapsuleSgl(rw(0x05, io.nextCid(), 10, 8), 4096), small, null)
                    .status(), "compare equal");
            assertEquals(2 << 8 | 0x85 | DNR, io.execute(NvmeTcpTestHost.inCapsuleSgl(rw(0x05, io.nextCid(), 100, 8), 4096),
                    small, null).status(), "compare failure");

            assertEquals(0x80 | DNR, io.execute(NvmeTcpTestHost.transportSgl(rw(0x02, io.nextCid(), 32768 - 4, 8), 4096),
                    null, null).status(), "LBA out of range");
            ByteBuffer otherNs = NvmeTcpTestHost.transportSgl(rw(0x02, io.nextCid(), 0, 1), 512);
            otherNs.putInt(4, 9);
            assertEquals(0x0B | DNR, io.execute(otherNs, null, null).status(), "invalid namespace");

            ByteBuffer disconnect = NvmeTcpTestHost.sqe(0x7F, io.nextCid(), 0);
            disconnect.put(4, (byte) 0x08);
            assertEquals(0, io.execute(disconnect, null, null).status());
            assertTrue(io.closedByTarget(), "Disconnect closes the I/O queue's connection");
            // The admin queue is untouched.
            assertEquals(0, admin.execute(NvmeTcpTestHost.sqe(0x18, admin.nextCid(), 0), null, null).status());
        }
    }

    @Test
    void fusedCompareAndWrite() throws IOException {
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address); NvmeTcpTestHost io = new NvmeTcpTestHost(address)) {
            int cntlid = connectAdmin(admin, false, 0);
            io.initialize(false, false);
            assertEquals(0, connectIo(io, cntlid, 1).status());
            byte[] before = random(512, 3);
            byte[] after = random(512, 4);
            io.execute(NvmeTcpTestHost.inCapsuleSgl(rw(0x01, io.nextCid(), 7, 1), 512), before, null);

            ByteBuffer compare = NvmeTcpTestHost.inCapsuleSgl(rw(0x05, io.nextCid(), 7, 1), 512);
            compare.put(1, (byte) 0x41); // FUSE 01b: first
            ByteBuffer write = NvmeTcpTestHost.inCapsuleSgl(rw(0x01, io.nextCid(), 7, 1), 512);
            write.put(1, (byte) 0x42); // FUSE 10b: second
            io.sendCapsule(compare.array(), before);
            io.sendCapsule(write.array(), after);
            assertEquals(0, io.read().status());
            assertEquals(0, io.read().status());
            assertArrayEquals(after, io.execute(NvmeTcpTestHost.transportSgl(rw(0x02, io.nextCid(), 7, 1), 512), null, null)
                    .data());

            compare.putShort(2, (short) io.nextCid());
            write.putShort(2, (short) io.nextCid());
            io.sendCapsule(compare.array(), before); // stale: the block now holds "after"
            io.sendCapsule(write.array(), before);
            assertEquals(2 << 8 | 0x85 | DNR, io.read().status(), "compare failure");
            assertEquals(0x09, io.read().status(), "write aborted: failed fused command");

            ByteBuffer lonely = NvmeTcpTestHost.inCapsuleSgl(rw(0x01, io.nextCid(), 7, 1), 512);
            lonely.put(1, (byte) 0x42);
            assertEquals(0x0A | DNR, io.execute(lonely, after, null).status(), "second half alone: missing fused");
        }
    }

    @Test
    void successFlagOnlyWithSqFlowControlDisabled() throws IOException {
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address); NvmeTcpTestHost io = new NvmeTcpTestHost(address)) {
            int cntlid = connectAdmin(admin, false, 0);
            io.initialize(false, false);
            byte[] connect = NvmeTcpTestHost.connectSqe(io.nextCid(), 1, 127, 0);
            connect[46] = 1 << 2; // CATTR.DISSQFC
            assertEquals(0, io.execute(connect, NvmeTcpTestHost.connectData(cntlid, NQN, NvmeTcpTestHost.HOST_NQN), null).status());
            io.sendCapsule(NvmeTcpTestHost.transportSgl(rw(0x02, io.nextCid(), 0, 1), 512).array(), null);
            NvmeTcpTestHost.Received data = io.read();
            assertEquals(0x07, data.type());
            assertEquals(4 | 8, data.flags(), "LAST_PDU and SUCCESS: no CapsuleResp follows");
            // The admin queue kept flow control, so its data is followed by a CapsuleResp.
            ByteBuffer id = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(0x06, admin.nextCid(), 0), 4096);
            id.putInt(40, 1);
            admin.sendCapsule(id.array(), null);
            assertEquals(4, admin.read().flags(), "LAST_PDU only");
            assertEquals(0x05, admin.read().type());
        }
    }

    @Test
    void connectRefusals() throws IOException {
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address); NvmeTcpTestHost io = new NvmeTcpTestHost(address);
             NvmeTcpTestHost dup = new NvmeTcpTestHost(address); NvmeTcpTestHost stranger = new NvmeTcpTestHost(address);
             NvmeTcpTestHost unknown = new NvmeTcpTestHost(address); NvmeTcpTestHost gone = new NvmeTcpTestHost(address)) {
            int cntlid = connectAdmin(admin, false, 0);
            io.initialize(false, false);
            assertEquals(0, connectIo(io, cntlid, 1).status());

            dup.initialize(false, false);
            NvmeTcpTestHost.Completion again = connectIo(dup, cntlid, 1);
            assertEquals(1 << 8 | 0x82 | DNR, again.status(), "queue 1 already exists");
            assertEquals(42, again.result() & 0xFFFF, "IPO: QID in the SQE");
            assertEquals(0, again.result() >>> 16 & 1, "IATTR: SQE");
            byte[] block = random(512, 5);
            assertEquals(0, io.execute(NvmeTcpTestHost.inCapsuleSgl(rw(0x01, io.nextCid(), 0, 1), 512), block, null)
                    .status(), "the existing queue still works");

            stranger.initialize(false, false);
            NvmeTcpTestHost.Completion refused = stranger.execute(NvmeTcpTestHost.connectSqe(1, 0, 31, 0),
                    NvmeTcpTestHost.connectData(0xFFFF, NQN, "nqn.2014-08.org.example:intruder"), null);
            assertEquals(1 << 8 | 0x84 | DNR, refused.status(), "Connect Invalid Host");

            unknown.initialize(false, false);
            NvmeTcpTestHost.Completion noSubsystem = unknown.execute(NvmeTcpTestHost.connectSqe(1, 0, 31, 0),
                    NvmeTcpTestHost.connectData(0xFFFF, "nqn.2024-01.dev.ferry:none", NvmeTcpTestHost.HOST_NQN), null);
            assertEquals(1 << 8 | 0x82 | DNR, noSubsystem.status());
            assertEquals(1L << 16 | 256, noSubsystem.result() & 0x1FFFFFL, "IATTR data, IPO SUBNQN");

            gone.initialize(false, false);
            NvmeTcpTestHost.Completion noController = connectIo(gone, 0xFFEE, 1);
            assertEquals(1 << 8 | 0x82 | DNR, noController.status());
            assertEquals(1L << 16 | 16, noController.result() & 0x1FFFFFL, "IATTR data, IPO CNTLID");
        }
    }

    @Test
    void malformedPduEndsOnlyThatConnection() throws IOException {
        try (NvmeTcpTestHost good = new NvmeTcpTestHost(address); NvmeTcpTestHost bad = new NvmeTcpTestHost(address)) {
            int cntlid = connectAdmin(good, false, 0);
            bad.initialize(false, false);
            byte[] garbage = new byte[24];
            garbage[0] = 0x05; // a CapsuleResp is controller-to-host only
            garbage[2] = 24;
            garbage[4] = 24;
            bad.sendRaw(garbage);
            NvmeTcpTestHost.Received term = bad.read();
            assertEquals(0x03, term.type(), "C2HTermReq");
            assertEquals(0x01, term.u16(8), "FES Invalid PDU Header Field");
            assertEquals(0, term.u32(10), "FEI: the PDU-Type byte");
            assertArrayEquals(garbage, Arrays.copyOf(term.data(), 24), "the offending header is echoed");
            assertTrue(bad.closedByTarget());
            assertEquals(0, good.execute(NvmeTcpTestHost.sqe(0x18, good.nextCid(), 0), null, null).status());
            assertTrue(cntlid > 0);
        }
    }

    /** Solicits a 4 KiB write and answers the R2T with one H2CData PDU at {@code offset}; returns the TermReq. */
    private static NvmeTcpTestHost.Received misplacedH2CData(int offset, int length) throws IOException {
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address); NvmeTcpTestHost io = new NvmeTcpTestHost(address)) {
            int cntlid = connectAdmin(admin, false, 0);
            io.initialize(false, false);
            assertEquals(0, connectIo(io, cntlid, 1).status());
            int cid = io.nextCid();
            io.sendCapsule(NvmeTcpTestHost.transportSgl(rw(0x01, cid, 0, 8), 4096).array(), null);
            NvmeTcpTestHost.Received r2t = io.read();
            assertEquals(0x09, r2t.type());
            assertEquals(cid, r2t.u16(8), "CCCID");
            assertEquals(0, r2t.u32(12), "R2TO");
            assertEquals(4096, r2t.u32(16), "R2TL");
            io.sendH2CData(cid, r2t.u16(10), offset, new byte[8192], 0, length, true);
            NvmeTcpTestHost.Received term = io.read();
            assertEquals(0x03, term.type());
            assertTrue(io.closedByTarget());
            assertEquals(0, admin.execute(NvmeTcpTestHost.sqe(0x18, admin.nextCid(), 0), null, null).status(),
                    "the admin queue's connection is not affected");
            return term;
        }
    }

    @Test
    void h2cDataOutsideTheR2tOrOutOfOrderIsFatal() throws IOException {
        assertEquals(0x04, misplacedH2CData(2048, 4096).u16(8), "FES Data Transfer Out of Range");
        assertEquals(0x02, misplacedH2CData(512, 1024).u16(8), "FES PDU Sequence Error: not contiguous");
    }

    @Test
    void keepAliveExpiryDeletesTheController() throws Exception {
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address); NvmeTcpTestHost late = new NvmeTcpTestHost(address)) {
            long expiries = ((NvmeTcpFrontend) core.frontend("nvme")).target().keepAliveExpiries();
            int cntlid = connectAdmin(admin, false, 1000);
            assertTrue(admin.closedByTarget(), "no keep-alive within KATO: controller torn down");
            assertEquals(expiries + 1, ((NvmeTcpFrontend) core.frontend("nvme")).target().keepAliveExpiries(),
                    "torn down by the keep-alive timer, not by a closed connection");
            late.initialize(false, false);
            assertEquals(1 << 8 | 0x82 | DNR, connectIo(late, cntlid, 1).status(), "the controller is gone");
        }
    }

    @Test
    void discoveryLogListsWhatTheHostMayUse() throws IOException {
        assertEquals(1, core.frontend("nvme").boundAddresses().size(), "three subsystems, one distinct portal");
        try (NvmeTcpTestHost disc = new NvmeTcpTestHost(address)) {
            disc.initialize(false, false);
            NvmeTcpTestHost.Completion c = disc.execute(NvmeTcpTestHost.connectSqe(1, 0, 31, 0),
                    NvmeTcpTestHost.connectData(0xFFFF, "nqn.2014-08.org.nvmexpress.discovery", NvmeTcpTestHost.HOST_NQN), null);
            assertEquals(0, c.status());
            disc.execute(NvmeTcpTestHost.propertySqe(2, false, 0, 0x14, CC_ENABLE), null, null);
            ByteBuffer log = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(0x02, 3, 0), 4 * 1024);
            log.putInt(40, 0x70 | (4 * 1024 / 4 - 1) << 16);
            NvmeTcpTestHost.Completion page = disc.execute(log, null, null);
            assertEquals(0, page.status());
            ByteBuffer p = ByteBuffer.wrap(page.data()).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(3, p.getLong(8), "NUMREC: current discovery subsystem + the two visible subsystems");
            assertEquals(3, p.get(1024 + 2), "first entry: SUBTYPE current discovery subsystem");
            assertEquals(OPEN_NQN, new String(page.data(), 3072 + 256, OPEN_NQN.length(), StandardCharsets.US_ASCII));
            int e = 2048;
            assertEquals(3, p.get(e), "TRTYPE TCP");
            assertEquals(1, p.get(e + 1), "ADRFAM IPv4");
            assertEquals(2, p.get(e + 2), "SUBTYPE NVM subsystem");
            assertEquals(String.valueOf(address.getPort()),
                    new String(page.data(), e + 32, 32, StandardCharsets.US_ASCII).trim(), "TRSVCID");
            assertEquals(NQN, new String(page.data(), e + 256, NQN.length(), StandardCharsets.US_ASCII));
            assertEquals("127.0.0.1", new String(page.data(), e + 512, 256, StandardCharsets.US_ASCII).trim());
            assertEquals(4, p.get(e + 3), "TREQ: SQ flow control may be disabled");
            assertEquals(0, p.get(e + 768), "TSAS SECTYPE none");
        }
    }
}
