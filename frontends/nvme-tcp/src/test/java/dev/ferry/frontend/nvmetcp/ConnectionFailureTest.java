package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.frontend.nvme.spec.Sqe;
import dev.ferry.frontend.nvmetcp.pdu.Pdu;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An Error (here an OutOfMemoryError) raised while serving one connection closes that connection only: the PDUs
 * decoded from the same read are not executed, and the event loop, shared with another host here, goes on.
 */
class ConnectionFailureTest {
    static final int FAILING_CID = 0x0BAD;
    static LimitedTarget target;

    @BeforeAll
    static void start() throws Exception {
        target = new LimitedTarget(LimitedTarget.LIMITS);
    }

    @AfterAll
    static void stop() {
        target.close();
    }

    /** Put in front of the queue handler: serving the capsule with {@link #FAILING_CID} runs out of memory. */
    static final class OutOfMemoryOnOneCapsule extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Pdu.CapsuleCommand c && Sqe.cid(c.sqe()) == FAILING_CID) {
                c.release();
                throw new OutOfMemoryError("injected while serving one capsule");
            }
            ctx.fireChannelRead(msg);
        }
    }

    static byte[] inCapsuleWrite(int cid, long lba, int length) {
        ByteBuffer s = NvmeTcpTestHost.inCapsuleSgl(NvmeTcpTestHost.sqe(NvmeTcpTestHost.OPC_WRITE, cid, 1), length);
        s.putLong(40, lba).putInt(48, length / LimitedTarget.BLOCK_SIZE - 1);
        return s.array();
    }

    @Test
    void anErrorClosesItsConnectionAloneAndTheRestOfItsReadIsNotExecuted() throws Exception {
        long lba = 100;
        byte[] pattern = new byte[LimitedTarget.BLOCK_SIZE];
        Arrays.fill(pattern, (byte) 0x5A);
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(target.address);
             NvmeTcpTestHost failing = target.ioQueue(admin, new NvmeTcpTestHost(target.address), 31);
             NvmeTcpTestHost otherAdmin = new NvmeTcpTestHost(target.address);
             NvmeTcpTestHost other = target.ioQueue(otherAdmin, new NvmeTcpTestHost(target.address), 31)) {
            target.channelOf(failing).pipeline().addBefore("queue", "fault", new OutOfMemoryOnOneCapsule());

            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            batch.write(failing.capsule(NvmeTcpTestHost.sqe(0x00, FAILING_CID, 1).array(), null)); // a Flush
            batch.write(failing.capsule(inCapsuleWrite(2, lba, pattern.length), pattern));
            failing.sendRaw(batch.toByteArray());

            assertTrue(failing.closedByTarget(), "closed without a response");
            assertArrayEquals(new byte[LimitedTarget.BLOCK_SIZE],
                    other.read(1, lba, 1, LimitedTarget.BLOCK_SIZE), "the Write after the failure did not run");
            BackpressureTest.served(other, 7);
        }
    }
}
