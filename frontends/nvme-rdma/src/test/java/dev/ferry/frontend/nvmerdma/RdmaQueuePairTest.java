package dev.ferry.frontend.nvmerdma;

import static dev.ferry.frontend.nvmerdma.RdmaHarness.connect;
import static dev.ferry.frontend.nvmerdma.RdmaHarness.connectData;
import static dev.ferry.frontend.nvmerdma.RdmaHarness.inCapsule;
import static dev.ferry.frontend.nvmerdma.RdmaHarness.keyed;
import static dev.ferry.frontend.nvmerdma.RdmaHarness.propertyGet;
import static dev.ferry.frontend.nvmerdma.RdmaHarness.readWrite;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.frontend.nvme.spec.Status;
import dev.ferry.frontend.nvmerdma.FakeRdmaConnection.Op;
import dev.ferry.frontend.nvmerdma.FakeRdmaConnection.Posted;
import dev.ferry.frontend.nvmerdma.RdmaHarness.Cqe16;
import dev.ferry.frontend.nvmerdma.cm.RdmaCmAcceptPrivateData;
import dev.ferry.frontend.nvmerdma.cm.RdmaCmRejectPrivateData;
import dev.ferry.frontend.nvmerdma.cm.RdmaCmStatus;
import dev.ferry.frontend.nvmerdma.verbs.WorkCompletion;
import io.netty.buffer.ByteBufUtil;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The queue-pair state machine driven through fake verbs against the real controller model. */
class RdmaQueuePairTest {
    private RdmaHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new RdmaHarness();
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    /** Disconnects, flushes everything posted, and checks the queue pair freed every buffer it was given. */
    private static void closeCleanly(RdmaHarness.Qp q) throws Exception {
        q.qp.disconnected();
        q.flushAll();
        assertEquals(RdmaQueueState.CLOSED, q.state());
        assertTrue(q.fake.destroyed);
        assertEquals(0, q.fake.leakedBuffers());
    }

    @Test
    void acceptPostsOneReceivePerCommandSlotFirst() throws Exception {
        RdmaHarness.Qp q = h.new Qp();
        assertTrue(q.connectRequest(0, 32, 31));
        assertEquals(32, q.fake.receives.size());
        assertEquals(new RdmaCmAcceptPrivateData(0, 32), RdmaCmAcceptPrivateData.parse(q.fake.accepted));
        assertEquals(RdmaQueueState.CONNECT_REQUESTED, q.state());
        q.established();
        assertEquals(RdmaQueueState.ESTABLISHED, q.state());
        closeCleanly(q);
    }

    @Test
    void badPrivateDataIsRejectedWithItsStatus() throws Exception {
        RdmaHarness.Qp q = h.new Qp();
        assertFalse(h.on(() -> q.qp.connectRequest(new byte[8])));
        assertEquals(new RdmaCmRejectPrivateData(0, RdmaCmStatus.INVALID_PRIVATE_DATA_LENGTH),
                RdmaCmRejectPrivateData.parse(q.fake.rejected));
        assertNull(q.fake.accepted);
        assertTrue(q.fake.receives.isEmpty());
        assertEquals(RdmaQueueState.CLOSED, q.state());
        assertTrue(q.fake.destroyed);
    }

    @Test
    void withoutRegisteredMemoryForItsReceivesAQueueIsRejectedNoResources() throws Exception {
        RdmaHarness.Qp q = h.new Qp();
        q.fake.allocationsLeft = 10;
        assertFalse(q.connectRequest(0, 32, 31));
        assertEquals(new RdmaCmRejectPrivateData(0, RdmaCmStatus.NO_RESOURCES),
                RdmaCmRejectPrivateData.parse(q.fake.rejected));
        assertTrue(q.fake.receives.isEmpty());
        assertTrue(q.fake.destroyed);
        assertEquals(0, q.fake.leakedBuffers());
    }

    @Test
    void withoutARegisteredBufferForWriteDataTheCommandIsInterrupted() throws Exception {
        RdmaHarness.Qp admin = h.new Qp();
        int cntlid = admin.connectAdmin();
        RdmaHarness.Qp io = h.new Qp();
        assertTrue(io.connectRequest(1, 4, 3));
        io.established();
        io.capsule(inCapsule(connect(1, 3), 0, 1024), connectData(cntlid));
        assertEquals(Status.SUCCESS, io.response().status());
        io.fake.largestAllocation = 64; // responses still fit, 512 bytes of write data do not
        io.capsule(keyed(readWrite(0x01, 9, 0), 0x2000, 512, 0x11, false), null);
        assertEquals(new Cqe16(0, 9, Status.COMMAND_INTERRUPTED, false, 0), io.response()); // no RDMA READ first
        assertEquals(RdmaQueueState.ESTABLISHED, io.state());
        closeCleanly(io);
        closeCleanly(admin);
    }

    @Test
    void connectDataByRdmaReadAndResponseWithInvalidate() throws Exception {
        RdmaHarness.Qp q = h.new Qp();
        q.connectRequest(0, 32, 31);
        q.established();
        q.capsule(keyed(connect(0, 31), 0x7f0000001000L, 1024, 0xabcd, true), null);
        Posted read = q.fake.nextSend();
        assertEquals(Op.READ, read.op());
        assertEquals(1024, read.length());
        assertEquals(0x7f0000001000L, read.remoteAddress());
        assertEquals(0xabcd, read.key());
        q.hostReads(read, connectData(0xFFFF));
        Cqe16 cqe = q.response();
        assertEquals(Status.SUCCESS, cqe.status());
        assertEquals(1, cqe.cid());
        assertTrue(cqe.invalidated());
        assertEquals(0xabcd, cqe.key());
        closeCleanly(q);
    }

    @Test
    void writeByRdmaReadThenReadByRdmaWriteOnAnIoQueue() throws Exception {
        RdmaHarness.Qp admin = h.new Qp();
        int cntlid = admin.connectAdmin();
        RdmaHarness.Qp io = h.new Qp();
        assertTrue(io.connectRequest(1, 4, 3));
        io.established();
        io.capsule(inCapsule(connect(1, 3), 0, 1024), connectData(cntlid)); // Connect data in the capsule
        assertEquals(Status.SUCCESS, io.response().status());

        byte[] block = new byte[512];
        Arrays.fill(block, (byte) 0x5A);
        block[0] = 1;
        io.capsule(keyed(readWrite(0x01, 7, 3), 0x2000, 512, 0x11, false), null);
        Posted read = io.fake.nextSend();
        assertEquals(Op.READ, read.op());
        io.hostReads(read, block);
        assertEquals(new Cqe16(0, 7, Status.SUCCESS, false, 0), io.response());

        io.capsule(keyed(readWrite(0x02, 8, 3), 0x3000, 512, 0x22, true), null);
        Posted write = io.fake.nextSend();
        assertEquals(Op.WRITE, write.op());
        assertEquals(0x3000, write.remoteAddress());
        assertEquals(0x22, write.key());
        assertArrayEquals(block, ByteBufUtil.getBytes(write.buffer()));
        Posted send = io.fake.nextSend(); // posted right behind the WRITE: RC keeps them in order
        assertEquals(Op.SEND, send.op());
        assertTrue(send.invalidate());
        io.complete(write.done(), WorkCompletion.SUCCESS, 0);
        io.complete(send.done(), WorkCompletion.SUCCESS, 0);

        closeCleanly(io);
        closeCleanly(admin);
    }

    @Test
    void invalidDescriptorsEarnTheirStatus() throws Exception {
        java.nio.ByteBuffer segment = inCapsule(connect(0, 31), 0, 1024);
        segment.put(39, (byte) 0x20);
        java.nio.ByteBuffer[] capsules = {inCapsule(connect(0, 31), 2000, 1024), inCapsule(connect(0, 31), 512, 1024),
            segment};
        int[] statuses = {Status.SGL_OFFSET_INVALID, Status.DATA_SGL_LENGTH_INVALID, Status.SGL_DESCRIPTOR_TYPE_INVALID};
        for (int i = 0; i < capsules.length; i++) {
            RdmaHarness.Qp q = h.new Qp(); // a queue takes one Connect, a refused one included
            q.connectRequest(0, 32, 31);
            q.established();
            q.capsule(capsules[i], new byte[1024]);
            assertEquals(statuses[i], q.response().status());
            closeCleanly(q);
        }
    }

    @Test
    void capsuleBeforeEstablishedWaitsForIt() throws Exception {
        RdmaHarness.Qp q = h.new Qp();
        q.connectRequest(0, 32, 31);
        q.capsule(keyed(connect(0, 31), 0x1000, 1024, 1, false), null);
        assertTrue(q.fake.sends.isEmpty());
        q.established();
        q.hostReads(q.fake.nextSend(), connectData(0xFFFF));
        assertEquals(Status.SUCCESS, q.response().status());
        closeCleanly(q);
    }

    @Test
    void sendWorkRequestsAreBoundedByTheNegotiatedDepth() throws Exception {
        RdmaHarness.Qp q = h.new Qp();
        q.connectRequest(0, 2, 1); // 2 command slots, 4 send work requests
        q.established();
        q.capsule(keyed(connect(0, 1), 0x1000, 1024, 1, false), null);
        q.hostReads(q.fake.nextSend(), connectData(0xFFFF));
        q.response();
        for (int cid = 10; cid < 15; cid++) {
            q.capsule(propertyGet(cid, 0x1C), null); // each completes at once; its SEND stays outstanding
        }
        Posted[] sends = new Posted[4];
        for (int i = 0; i < 4; i++) {
            sends[i] = q.fake.nextSend();
        }
        assertTrue(q.fake.sends.isEmpty());
        q.complete(sends[0].done(), WorkCompletion.SUCCESS, 0);
        Posted fifth = q.fake.nextSend();
        assertEquals(14, fifth.buffer().getUnsignedShortLE(12));
        for (int i = 1; i < 4; i++) {
            q.complete(sends[i].done(), WorkCompletion.SUCCESS, 0);
        }
        q.complete(fifth.done(), WorkCompletion.SUCCESS, 0);
        closeCleanly(q);
    }

    @Test
    void hostExceedingItsQueueSizeIsDisconnected() throws Exception {
        RdmaHarness.Qp q = h.new Qp();
        q.connectRequest(0, 2, 1);
        q.established();
        q.capsule(keyed(connect(0, 1), 0x1000, 1024, 1, false), null);
        q.hostReads(q.fake.nextSend(), connectData(0xFFFF));
        q.response();
        q.capsule(keyed(RdmaHarness.propertySet(0x14, RdmaHarness.CC_ENABLE), 0, 0, 0, false), null);
        q.response();
        q.capsule(keyed(RdmaHarness.sqe(0x0C, 0, 5), 0, 0, 0, false), null); // two Asynchronous Event Requests
        q.capsule(keyed(RdmaHarness.sqe(0x0C, 0, 6), 0, 0, 0, false), null); // stay outstanding
        assertFalse(q.fake.disconnected);
        q.capsule(keyed(RdmaHarness.sqe(0x0C, 0, 7), 0, 0, 0, false), null);
        assertTrue(q.fake.disconnected);
        assertEquals(RdmaQueueState.DISCONNECTING, q.state());
        q.flushAll(); // the receives flush
        assertEquals(RdmaQueueState.CLOSED, q.state());
        assertEquals(0, q.fake.leakedBuffers());
    }

    @Test
    void failedCompletionDisconnects() throws Exception {
        RdmaHarness.Qp q = h.new Qp();
        q.connectRequest(0, 32, 31);
        q.established();
        q.capsule(keyed(connect(0, 31), 0x1000, 1024, 1, false), null);
        Posted read = q.fake.nextSend();
        q.complete(read.done(), 12 /* IBV_WC_RETRY_EXC_ERR */, 0);
        assertTrue(q.fake.disconnected);
        q.flushAll();
        assertEquals(RdmaQueueState.CLOSED, q.state());
        assertEquals(0, q.fake.leakedBuffers());
    }

    @Test
    void closeWaitsForPostedResponses() throws Exception {
        RdmaHarness.Qp q = h.new Qp();
        q.connectRequest(0, 32, 31);
        q.established();
        q.capsule(keyed(connect(0, 31), 0x1000, 1024, 1, false), null);
        q.hostReads(q.fake.nextSend(), connectData(0xFFFF));
        Posted send = q.fake.nextSend();
        q.qp.close();
        h.on(() -> null);
        assertFalse(q.fake.disconnected);
        q.complete(send.done(), WorkCompletion.SUCCESS, 0);
        assertTrue(q.fake.disconnected);
        q.flushAll();
        assertEquals(RdmaQueueState.CLOSED, q.state());
        assertEquals(0, q.fake.leakedBuffers());
    }
}
