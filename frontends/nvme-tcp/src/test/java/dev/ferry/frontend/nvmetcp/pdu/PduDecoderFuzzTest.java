package dev.ferry.frontend.nvmetcp.pdu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.testing.fuzz.NettyLeaks;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any byte stream from a host, split anywhere, gives host PDUs within the negotiated limits and at most one
 * {@link Pdu.Fatal} (after which nothing more is decoded); the decoder itself never throws, and every buffer is
 * released. Input: byte 0 = digests (bit 0 header, bit 1 data; bit 2 set: the stream starts before ICReq), bits 3-7
 * the read split; the rest = the stream.
 */
class PduDecoderFuzzTest {
    /** Reads per input, at most: each is a buffer PARANOID leak detection tracks with a stack trace, which is slow. */
    private static final int MAX_READS = 32;

    @BeforeAll
    static void watchLeaks() {
        NettyLeaks.watch();
    }

    @AfterAll
    static void noLeaks() throws InterruptedException {
        NettyLeaks.collectAndAssertNone();
    }

    /**
     * Takes each PDU as the queue handler does, while it is delivered (the capsule is one reused instance), and
     * places H2CData into a buffer of its own per PDU.
     */
    private static final class Consumer extends ChannelInboundHandlerAdapter implements H2CDataPlacement {
        boolean fatal;
        ByteBuf placing;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object m) {
            try {
                if (fatal) {
                    fail("decoded " + m + " after a fatal error");
                }
                if (m instanceof Pdu.CapsuleCommand c) {
                    assertEquals(64, c.sqe().readableBytes());
                    assertTrue(c.data() == null || c.data().readableBytes() <= ConnectionParameters.MAX_IN_CAPSULE_DATA);
                } else if (m instanceof Pdu.Fatal) {
                    fatal = true;
                } else if (!(m instanceof Pdu.IcReq) && !(m instanceof Pdu.TermReq)) {
                    fail("not a host PDU: " + m);
                }
            } finally {
                Pdu.releaseIfNeeded(m);
            }
        }

        @Override
        public ByteBuf destination(ByteBuf header, int cccid, int ttag, int dataOffset, int length) {
            assertTrue(!fatal && placing == null, "H2CData placed after a fatal error or before the last one ended");
            assertTrue(length > 0 && length <= ConnectionParameters.MAX_H2C_DATA, "H2CData of " + length);
            placing = PooledByteBufAllocator.DEFAULT.directBuffer(length);
            return placing;
        }

        @Override
        public void placed(int ttag, boolean digestError) {
            assertTrue(placing != null && !placing.isWritable(), "placed before all of its data was in");
            placing.release();
            placing = null;
        }
    }

    @FuzzTest
    void decodesAnyStream(byte[] input) {
        if (input.length < 1) {
            return;
        }
        ConnectionParameters params = new ConnectionParameters();
        if ((input[0] & 4) == 0) {
            params.negotiated((input[0] & 1) != 0, (input[0] & 2) != 0, 0);
        }
        PduDecoder decoder = new PduDecoder(params);
        Consumer consumer = new Consumer();
        decoder.placeH2CDataWith(consumer);
        EmbeddedChannel ch = new EmbeddedChannel(decoder, consumer);
        List<ByteBuf> written = new ArrayList<>();
        int split = Math.max(1 + ((input[0] & 0xff) >>> 3) * 8, input.length / MAX_READS + 1);
        try {
            for (int at = 1; at < input.length; at += split) {
                ByteBuf chunk = PooledByteBufAllocator.DEFAULT.heapBuffer();
                chunk.writeBytes(input, at, Math.min(split, input.length - at));
                written.add(chunk);
                ch.writeInbound(chunk);
                ch.checkException();
            }
        } finally {
            ch.finishAndReleaseAll();
            if (consumer.placing != null) {
                consumer.placing.release(); // a PDU cut off by the end of the input
            }
        }
        for (ByteBuf b : written) {
            assertEquals(0, b.refCnt(), "the decoder kept a received buffer");
        }
        NettyLeaks.assertNone();
    }
}
