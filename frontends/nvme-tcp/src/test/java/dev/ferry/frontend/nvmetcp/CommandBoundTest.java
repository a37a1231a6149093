package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Commands in flight per queue are bounded by the queue's entries (SQSIZE + 1), and before Connect by the Connect
 * command alone, counting those that wait for their data: a host that submits beyond gets a C2HTermReq (PDU
 * Sequence Error) and the close, before Ferry allocates a buffer or sends an R2T for the excess command. Without
 * the bound every capsule got a buffer and an R2T, and at 65,535 the TTAG search of the event loop never ended.
 */
class CommandBoundTest {
    static final int PDU_R2T = 0x09;
    static final int PDU_C2H_TERM_REQ = 0x03;
    static final int PDU_CAPSULE_RESP = 0x05;
    static final int FES_PDU_SEQUENCE_ERROR = 0x02;
    static LimitedTarget target;

    @BeforeAll
    static void start() throws Exception {
        target = new LimitedTarget(LimitedTarget.LIMITS);
    }

    @AfterAll
    static void stop() {
        target.close();
    }

    static void assertTermReq(NvmeTcpTestHost h) throws IOException {
        NvmeTcpTestHost.Received term = h.read();
        assertEquals(PDU_C2H_TERM_REQ, term.type(), "C2HTermReq");
        assertEquals(FES_PDU_SEQUENCE_ERROR, term.u16(8), "FES PDU Sequence Error");
        assertTrue(h.closedByTarget(), "the connection closes after the C2HTermReq");
    }

    /** A Connect whose 1 KiB of data is solicited by R2T (SGL 5Ah) rather than sent in the capsule. */
    static byte[] connectWithoutData(int cid) {
        byte[] sqe = NvmeTcpTestHost.connectSqe(cid, 0, 31, 0);
        sqe[39] = 0x5A;
        return sqe;
    }

    static byte[] write(int cid, long lba) {
        ByteBuffer s = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(NvmeTcpTestHost.OPC_WRITE, cid, 1),
                LimitedTarget.BLOCK_SIZE);
        s.putLong(40, lba).putInt(48, 0);
        return s.array();
    }

    @Test
    void beforeConnectOnlyOneCommandIsTakenAndAFloodEndsTheConnection() throws IOException {
        try (NvmeTcpTestHost h = new NvmeTcpTestHost(target.address)) {
            h.initialize(false, false);
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int cid = 1; cid <= 200; cid++) {
                flood.write(h.capsule(connectWithoutData(cid), null));
            }
            h.sendRaw(flood.toByteArray());

            NvmeTcpTestHost.Received r2t = h.read();
            assertEquals(PDU_R2T, r2t.type(), "the first Connect is solicited");
            assertEquals(1, r2t.u16(8), "its CCCID");
            assertTermReq(h);
        }
    }

    @Test
    void anIoQueueTakesItsEntriesAgainAndAgainButNotOneMore() throws IOException {
        int sqsize = 3;
        int entries = sqsize + 1;
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(target.address);
             NvmeTcpTestHost io = target.ioQueue(admin, new NvmeTcpTestHost(target.address), sqsize)) {
            byte[] block = new byte[LimitedTarget.BLOCK_SIZE];
            for (int round = 0; round < 3; round++) {
                ByteArrayOutputStream full = new ByteArrayOutputStream();
                for (int i = 0; i < entries; i++) {
                    full.write(io.capsule(write(io.nextCid(), i), null));
                }
                io.sendRaw(full.toByteArray());
                for (int i = 0; i < entries; i++) {
                    NvmeTcpTestHost.Received r2t = io.read();
                    assertEquals(PDU_R2T, r2t.type(), "every command of a full queue gets its R2T");
                    io.sendH2CData(r2t.u16(8), r2t.u16(10), 0, block, 0, block.length, true);
                }
                for (int i = 0; i < entries; i++) {
                    NvmeTcpTestHost.Received resp = io.read();
                    assertEquals(PDU_CAPSULE_RESP, resp.type());
                    assertEquals(0, resp.status(), "round " + round);
                }
            }

            ByteArrayOutputStream over = new ByteArrayOutputStream();
            for (int i = 0; i <= entries; i++) {
                over.write(io.capsule(write(io.nextCid(), i), null));
            }
            io.sendRaw(over.toByteArray());
            for (int i = 0; i < entries; i++) {
                assertEquals(PDU_R2T, io.read().type());
            }
            assertTermReq(io);
        }
    }
}
