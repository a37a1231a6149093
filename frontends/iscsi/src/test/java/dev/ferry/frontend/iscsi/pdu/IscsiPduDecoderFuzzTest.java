package dev.ferry.frontend.iscsi.pdu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.testing.fuzz.NettyLeaks;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any byte stream from an initiator, split anywhere, gives whole PDUs within the negotiated limits, MalformedPdus to
 * Reject, or (header digest mismatch) {@link IscsiProtocolException} after which nothing more is decoded; never
 * another exception, and every buffer is released. Input: byte 0 = digests (bit 0 header, bit 1 data), byte 1 =
 * MaxRecvDataSegmentLength choice and read split seed, the rest = the stream.
 */
class IscsiPduDecoderFuzzTest {
    /** Reads per input, at most: each is a buffer PARANOID leak detection tracks with a stack trace, which is slow. */
    private static final int MAX_READS = 32;
    private static final int[] MAX_RECV_DATA_SEGMENT_LENGTHS = {512, 8192, 262144, IscsiPdu.MAX_DATA_SEGMENT_LENGTH};

    @BeforeAll
    static void watchLeaks() {
        NettyLeaks.watch();
    }

    @AfterAll
    static void noLeaks() throws InterruptedException {
        NettyLeaks.collectAndAssertNone();
    }

    @FuzzTest
    void framesAnyStream(byte[] input) {
        if (input.length < 2) {
            return;
        }
        int mrdsl = MAX_RECV_DATA_SEGMENT_LENGTHS[input[1] & 3];
        IscsiPduDecoder decoder = new IscsiPduDecoder(mrdsl);
        decoder.digests((input[0] & 1) != 0, (input[0] & 2) != 0);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        List<ByteBuf> written = new ArrayList<>();
        int split = Math.max(1 + ((input[1] & 0xff) >>> 2), input.length / MAX_READS + 1);
        try {
            for (int at = 2; at < input.length; at += split) {
                ByteBuf chunk = PooledByteBufAllocator.DEFAULT.heapBuffer();
                chunk.writeBytes(input, at, Math.min(split, input.length - at));
                written.add(chunk);
                ch.writeInbound(chunk);
                drain(ch, mrdsl);
            }
            // The connection closes: the decoder sees the bytes still buffered once more.
            ch.finishAndReleaseAll();
        } catch (DecoderException e) {
            assertInstanceOf(IscsiProtocolException.class, e.getCause(), "only a header digest mismatch may throw");
            // The connection drops. Lengths after a bad header cannot be trusted: nothing more may be decoded.
            ch.close();
            assertNull(ch.readInbound(), "decoded a PDU after a header digest mismatch");
            ch.finishAndReleaseAll();
        }
        for (ByteBuf b : written) {
            assertEquals(0, b.refCnt(), "the decoder kept a received buffer");
        }
        NettyLeaks.assertNone();
    }

    private static void drain(EmbeddedChannel ch, int mrdsl) {
        Object m;
        while ((m = ch.readInbound()) != null) {
            if (m instanceof IscsiPdu p) {
                try {
                    assertEquals(IscsiPdu.BHS_LENGTH, p.bhs().length);
                    assertEquals(p.dataSegmentLength(), p.data().readableBytes());
                    assertTrue(p.dataSegmentLength() <= mrdsl, "data segment over MaxRecvDataSegmentLength");
                    assertTrue(Opcode.isInitiatorOpcode(p.opcode()), "target opcode accepted");
                } finally {
                    p.release();
                }
            } else if (!(m instanceof MalformedPdu)) {
                fail("unexpected message " + m);
            }
        }
    }
}
