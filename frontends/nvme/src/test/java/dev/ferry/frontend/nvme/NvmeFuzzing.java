package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.frontend.nvme.spec.Opcodes;
import dev.ferry.frontend.nvme.spec.Sqe;
import dev.ferry.frontend.nvme.spec.Status;
import dev.ferry.testing.fuzz.NettyLeaks;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * What the NVMe fuzz targets share: one {@link ModelHarness} (namespaces of 512 and 4096-byte blocks), commands fed
 * as a transport does (receive, host data of the length the command asked for, execute), and the contract: exactly
 * one completion, never INTERNAL ERROR (what {@link NvmeQueue} answers when a RuntimeException escaped), a host data
 * request bounded by MDTS, no leaked buffer. Input records: [64-byte SQE][host data length, 15 bits big-endian; top bit: second queue][host data].
 */
final class NvmeFuzzing {
    static final int RECORD_HEADER = Sqe.SIZE + 2;
    private static final int STATUS_FIELD = 0x7FF; // SCT and SC, without DNR and More

    private NvmeFuzzing() {
    }

    static ModelHarness harness() throws Exception {
        NettyLeaks.watch();
        return new ModelHarness(512, 4096);
    }

    /**
     * Runs every record of {@code input}: on {@code queues[0]}, or on {@code queues[1]} when the top bit of the
     * record's length is set and there is a second queue.
     */
    static void runAll(ModelHarness h, byte[] input, boolean admin, ModelHarness.FakeQueue... queues)
            throws Exception {
        int at = 0;
        while (at + RECORD_HEADER <= input.length) {
            byte[] sqe = Arrays.copyOfRange(input, at, at + Sqe.SIZE);
            ModelHarness.FakeQueue q = queues[(input[at + Sqe.SIZE] & 0x80) != 0 && queues.length > 1 ? 1 : 0];
            int length = Math.min((input[at + Sqe.SIZE] & 0x7f) << 8 | (input[at + Sqe.SIZE + 1] & 0xff),
                    input.length - at - RECORD_HEADER);
            byte[] data = Arrays.copyOfRange(input, at + RECORD_HEADER, at + RECORD_HEADER + length);
            at += RECORD_HEADER + length;
            // A fused first half waits for its second, an Asynchronous Event Request for an event: both rightly
            // stay outstanding, so they are not what a record can be.
            sqe[1] &= (byte) ~0x3;
            if (admin && (sqe[0] & 0xff) == Opcodes.ASYNC_EVENT_REQUEST) {
                sqe[0] = 0;
            }
            runAndCheck(h, q, sqe, data);
        }
    }

    static void runAndCheck(ModelHarness h, ModelHarness.FakeQueue q, byte[] sqe, byte[] data) throws Exception {
        h.loop.submit(() -> {
            NvmeRequest r = q.queue.request().sqe(Unpooled.wrappedBuffer(sqe), 0);
            q.queue.receive(r);
            if (!r.isCompleted()) {
                int n = r.hostDataLength();
                assertTrue(n >= 0 && n <= Limits.MAX_DATA_TRANSFER, "host data of " + n + " bytes asked for");
                if (n > 0) {
                    ByteBuf hostData = PooledByteBufAllocator.DEFAULT.heapBuffer(n);
                    hostData.writeBytes(data, 0, Math.min(n, data.length)).writeZero(n - hostData.readableBytes());
                    r.hostData(hostData);
                }
                q.queue.execute(r);
            }
        }).get();
        ModelHarness.Done d = q.done.poll(10, TimeUnit.SECONDS);
        assertTrue(d != null, "no completion for opcode 0x" + Integer.toHexString(sqe[0] & 0xff));
        assertNotEquals(Status.INTERNAL_ERROR, d.status() & STATUS_FIELD,
                "a RuntimeException escaped the command (INTERNAL ERROR); see the log above");
        NettyLeaks.assertNone();
    }

    /** The transport's connections closed, as at the end of every input (so controllers do not pile up). */
    static void close(ModelHarness h, ModelHarness.FakeQueue... queues) throws Exception {
        h.loop.submit(() -> {
            for (ModelHarness.FakeQueue q : queues) {
                q.queue.closed();
            }
        }).get();
    }
}
