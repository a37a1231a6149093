package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Many commands at once, with digests, their data in pieces: 32 Writes whose R2Ts are answered out of order with
 * H2CData PDUs of 3 KiB (so PDUs of different transfers interleave, and their data spans the target's reads), 32
 * Writes with in-capsule data in one burst, then 64 Reads in one burst; every block reads back as written.
 */
class PipelinedDataTest {
    static final int DEPTH = 32;
    static final int BLOCKS = 2; // 8 KiB per command
    static final int BYTES = BLOCKS * LimitedTarget.BLOCK_SIZE;
    static final int PIECE = 3 * 1024;
    static LimitedTarget target;

    @BeforeAll
    static void start() throws Exception {
        target = new LimitedTarget(LimitedTarget.LIMITS);
    }

    @AfterAll
    static void stop() {
        target.close();
    }

    static ByteBuffer rw(int opcode, int cid, long lba) {
        ByteBuffer s = NvmeTcpTestHost.sqe(opcode, cid, 1);
        s.putLong(40, lba).putInt(48, BLOCKS - 1);
        return s;
    }

    @Test
    void interleavedTransfersAndBurstsKeepEveryBlock() throws IOException {
        Random random = new Random(12);
        byte[][] data = new byte[2 * DEPTH][BYTES];
        for (byte[] d : data) {
            random.nextBytes(d);
        }
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(target.address);
             NvmeTcpTestHost io = new NvmeTcpTestHost(target.address)) {
            int cntlid = admin.connectAdmin(LimitedTarget.NQN, 0);
            io.initialize(true, true);
            assertEquals(0, io.execute(NvmeTcpTestHost.connectSqe(io.nextCid(), 1, 127, 0),
                    NvmeTcpTestHost.connectData(cntlid, LimitedTarget.NQN, NvmeTcpTestHost.HOST_NQN), null).status());

            // Writes solicited by R2T: all capsules first, then each R2T answered, in the order of a shuffle.
            ByteArrayOutputStream capsules = new ByteArrayOutputStream();
            for (int i = 0; i < DEPTH; i++) {
                capsules.write(io.capsule(NvmeTcpTestHost.transportSgl(rw(NvmeTcpTestHost.OPC_WRITE, 100 + i,
                        (long) i * BLOCKS), BYTES).array(), null));
            }
            io.sendRaw(capsules.toByteArray());
            Map<Integer, Integer> ttags = new HashMap<>();
            while (ttags.size() < DEPTH) {
                NvmeTcpTestHost.Received r2t = io.read();
                assertEquals(0x09, r2t.type(), "R2T");
                assertEquals(BYTES, r2t.u32(16), "R2TL: all of the command's data");
                ttags.put(r2t.u16(8), r2t.u16(10));
            }
            // The first piece of every transfer, then the rest of each: the transfers interleave.
            for (int offset = 0; offset < BYTES; offset += PIECE) {
                for (int i = DEPTH - 1; i >= 0; i--) {
                    int cid = 100 + i;
                    int n = Math.min(PIECE, BYTES - offset);
                    io.sendH2CData(cid, ttags.get(cid), offset, data[i], offset, n, offset + n == BYTES);
                }
            }
            expectResponses(io, DEPTH);

            // Writes with in-capsule data, in one burst.
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = DEPTH; i < 2 * DEPTH; i++) {
                burst.write(io.capsule(NvmeTcpTestHost.inCapsuleSgl(rw(NvmeTcpTestHost.OPC_WRITE, 100 + i,
                        (long) i * BLOCKS), BYTES).array(), data[i]));
            }
            io.sendRaw(burst.toByteArray());
            expectResponses(io, DEPTH);

            // Reads of everything, in one burst.
            ByteArrayOutputStream reads = new ByteArrayOutputStream();
            for (int i = 0; i < 2 * DEPTH; i++) {
                reads.write(io.capsule(NvmeTcpTestHost.transportSgl(rw(NvmeTcpTestHost.OPC_READ, 200 + i,
                        (long) i * BLOCKS), BYTES).array(), null));
            }
            io.sendRaw(reads.toByteArray());
            Map<Integer, ByteArrayOutputStream> read = new HashMap<>();
            int responses = 0;
            while (responses < 2 * DEPTH) {
                NvmeTcpTestHost.Received r = io.read(); // checks both digests
                if (r.type() == 0x07) {
                    assertEquals(read.computeIfAbsent(r.u16(8), k -> new ByteArrayOutputStream()).size(), r.u32(12),
                            "DATAO");
                    read.get(r.u16(8)).write(r.data());
                } else {
                    assertEquals(0x05, r.type(), "CapsuleResp");
                    assertEquals(0, r.status());
                    responses++;
                }
            }
            for (int i = 0; i < 2 * DEPTH; i++) {
                assertArrayEquals(data[i], read.get(200 + i).toByteArray(), "command " + i);
            }
        }
    }

    private static void expectResponses(NvmeTcpTestHost io, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            NvmeTcpTestHost.Received r = io.read();
            assertEquals(0x05, r.type(), "CapsuleResp");
            assertEquals(0, r.status(), "status of CID " + r.cid());
        }
    }
}
