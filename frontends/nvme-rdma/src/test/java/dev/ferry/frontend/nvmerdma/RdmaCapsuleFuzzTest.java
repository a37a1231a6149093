package dev.ferry.frontend.nvmerdma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.frontend.nvme.spec.Opcodes;
import dev.ferry.frontend.nvme.spec.Status;
import dev.ferry.frontend.nvmerdma.verbs.WorkCompletion;
import dev.ferry.testing.fuzz.NettyLeaks;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any capsules a host SENDs (SQE with any SGL1, any in-capsule data, any length) on a queue pair over fake verbs,
 * with the host serving every RDMA READ: each capsule is answered by one response SEND whose status is not INTERNAL
 * ERROR, or the host is disconnected (a protocol violation); nothing escapes the queue pair, and after the
 * disconnect every buffer it was given is freed. Input: byte 0 = where (bit 0 set: the admin queue of an enabled
 * controller; else a new admin queue before Connect), then records of [capsule length, 2 bytes big-endian][capsule]
 * [RDMA READ data length, 2 bytes][data the host serves to RDMA READs, zero-padded].
 */
class RdmaCapsuleFuzzTest {
    private static final int STATUS_FIELD = 0x7FF; // SCT and SC, without DNR and More
    private static RdmaHarness harness;

    @BeforeAll
    static void start() throws Exception {
        NettyLeaks.watch();
        harness = new RdmaHarness();
    }

    @AfterAll
    static void stop() throws Exception {
        harness.close();
        NettyLeaks.collectAndAssertNone();
    }

    @FuzzTest
    void anyCapsuleIsAnsweredOrDisconnects(byte[] input) throws Exception {
        if (input.length < 1) {
            return;
        }
        RdmaHarness.Qp q = harness.new Qp();
        try {
            if ((input[0] & 1) != 0) {
                q.connectAdmin();
            } else {
                assertTrue(q.connectRequest(0, 32, 31));
                q.established();
            }
            int at = 1;
            while (at + 2 <= input.length && !q.fake.disconnected) {
                int length = Math.min(u16(input, at), input.length - at - 2);
                byte[] capsule = Arrays.copyOfRange(input, at + 2, at + 2 + length);
                at += 2 + length;
                int readLength = at + 2 <= input.length ? Math.min(u16(input, at), input.length - at - 2) : 0;
                byte[] readData = Arrays.copyOfRange(input, Math.min(at + 2, input.length),
                        Math.min(at + 2, input.length) + readLength);
                at += 2 + readLength;
                if (!send(q, capsule, readData)) {
                    break;
                }
            }
        } finally {
            q.qp.disconnected();
            q.flushAll();
            assertEquals(RdmaQueueState.CLOSED, q.state());
            assertEquals(0, q.fake.leakedBuffers(), "the queue pair kept registered buffers");
            NettyLeaks.assertNone();
        }
    }

    /** @return false when the host cannot send (no receive posted) */
    private static boolean send(RdmaHarness.Qp q, byte[] capsule, byte[] readData) throws Exception {
        FakeRdmaConnection.Receive r = q.fake.receives.poll();
        if (r == null) {
            return false;
        }
        if (capsule.length > 1) {
            capsule[1] &= (byte) ~0x3; // a fused first half rightly waits for its second
        }
        if (capsule.length > 0 && (capsule[0] & 0xff) == Opcodes.ASYNC_EVENT_REQUEST) {
            capsule[0] = 0; // rightly waits for an event
        }
        int length = Math.min(capsule.length, r.buffer().writableBytes());
        r.buffer().writeBytes(capsule, 0, length);
        q.complete(r.done(), WorkCompletion.SUCCESS, length);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            // Refusals and most answers are posted while the receive completes; I/O answers come from a worker.
            FakeRdmaConnection.Posted p = q.fake.sends.poll();
            if (p == null && !q.fake.disconnected) {
                p = q.fake.sends.poll(1, TimeUnit.MILLISECONDS);
            }
            if (p == null) {
                if (q.fake.disconnected) {
                    return false;
                }
                if (System.nanoTime() > deadline) {
                    fail("a capsule was neither answered nor refused with a disconnect");
                }
                continue;
            }
            switch (p.op()) {
                case READ -> {
                    p.buffer().setZero(0, p.length());
                    p.buffer().setBytes(0, readData, 0, Math.min(readData.length, p.length()));
                    q.complete(p.done(), WorkCompletion.SUCCESS, p.length());
                }
                case WRITE -> q.complete(p.done(), WorkCompletion.SUCCESS, 0);
                case SEND -> {
                    RdmaHarness.Cqe16 cqe = RdmaHarness.Cqe16.of(p.buffer(), p.invalidate(), p.key());
                    q.complete(p.done(), WorkCompletion.SUCCESS, 0);
                    assertNotEquals(Status.INTERNAL_ERROR, cqe.status() & STATUS_FIELD,
                            "a RuntimeException escaped the command (INTERNAL ERROR); see the log above");
                    return true;
                }
                default -> fail("unknown work request " + p.op());
            }
        }
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }
}
