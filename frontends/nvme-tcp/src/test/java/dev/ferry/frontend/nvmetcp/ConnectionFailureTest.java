package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.frontend.nvme.spec.Sqe;
import dev.ferry.frontend.nvmetcp.pdu.Pdu;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import io.netty.channel.Channel;
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

    static final int OPC_FLUSH = 0x00;
    static final int OPC_WRITE_ZEROES = 0x08;

    /** Write Zeroes of one block (NVM Command Set 1.0 3.2.8): a side effect in a capsule without data. */
    static byte[] writeZeroes(int cid, long lba) {
        ByteBuffer s = NvmeTcpTestHost.sqe(OPC_WRITE_ZEROES, cid, 1);
        s.putLong(40, lba).putInt(48, 0);
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
            other.write(1, lba, pattern, LimitedTarget.BLOCK_SIZE);
            Channel ch = target.channelOf(failing);
            ch.eventLoop().submit(() -> ch.pipeline().addBefore("queue", "fault", new OutOfMemoryOnOneCapsule())).get();

            // Two capsules in one small write, so that Ferry reads and decodes them together.
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            batch.write(failing.capsule(NvmeTcpTestHost.sqe(OPC_FLUSH, FAILING_CID, 1).array(), null));
            batch.write(failing.capsule(writeZeroes(2, lba), null));
            failing.sendRaw(batch.toByteArray());

            assertTrue(failing.closedByTarget(), "closed without a response");
            assertArrayEquals(pattern, other.read(1, lba, 1, LimitedTarget.BLOCK_SIZE),
                    "the Write Zeroes decoded after the failure did not run");
            BackpressureTest.served(other, 7);
        }
    }
}
