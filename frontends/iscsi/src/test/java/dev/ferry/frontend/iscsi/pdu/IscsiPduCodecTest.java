package dev.ferry.frontend.iscsi.pdu;

import dev.ferry.core.buffer.Crc32c;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The PDU codec on an EmbeddedChannel: round trips, digests, framing and malformed input. */
class IscsiPduCodecTest {

    /** Encodes with the target's encoder; initiator opcodes are accepted by the encoder too. */
    static ByteBuf encode(IscsiPdu p, boolean hd, boolean dd) {
        IscsiPduEncoder enc = new IscsiPduEncoder();
        enc.digests(hd, dd);
        EmbeddedChannel ch = new EmbeddedChannel(enc);
        assertTrue(ch.writeOutbound(p));
        ByteBuf all = Unpooled.buffer();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            all.writeBytes(b);
            b.release();
        }
        ch.finishAndReleaseAll();
        return all;
    }

    static EmbeddedChannel decoder(int mrdsl, boolean hd, boolean dd) {
        IscsiPduDecoder d = new IscsiPduDecoder(mrdsl);
        d.digests(hd, dd);
        return new EmbeddedChannel(d);
    }

    @Test
    void roundTripsEveryLengthAndDigestCombination() {
        Random rnd = new Random(1);
        for (boolean hd : new boolean[] {false, true}) {
            for (boolean dd : new boolean[] {false, true}) {
                for (int len : new int[] {0, 1, 2, 3, 4, 5, 1023, 1024, 1025, 4096, 65537}) {
                    byte[] data = new byte[len];
                    rnd.nextBytes(data);
                    ScsiCommandPdu c = ScsiCommandPdu.create().itt(0x1234).lun(1L << 48).cmdSn(77)
                            .expectedDataTransferLength(len).cdb(new byte[] {0x2a, 0, 0, 0, 0, 9, 0, 0, 1, 0})
                            .flags(true, false, true, 1);
                    c.pdu().data(Unpooled.wrappedBuffer(data));
                    byte[] bhs = c.pdu().bhs().clone();
                    ByteBuf wire = encode(c.pdu(), hd, dd);
                    int expected = 48 + (hd ? 4 : 0) + len + IscsiPdu.padding(len) + (dd && len > 0 ? 4 : 0);
                    assertEquals(expected, wire.readableBytes());
                    EmbeddedChannel ch = decoder(1 << 20, hd, dd);
                    // Byte by byte: the decoder must cope with any split.
                    while (wire.isReadable()) {
                        ch.writeInbound(wire.readRetainedSlice(Math.min(wire.readableBytes(), 1 + rnd.nextInt(7))));
                    }
                    wire.release();
                    IscsiPdu p = ch.readInbound();
                    assertArrayEquals(bhs, p.bhs());
                    byte[] got = new byte[p.data().readableBytes()];
                    p.data().readBytes(got);
                    assertArrayEquals(data, got);
                    ScsiCommandPdu back = new ScsiCommandPdu(p);
                    assertEquals(0x1234, back.itt());
                    assertEquals(77, back.cmdSn());
                    assertTrue(back.write() && back.finalBit() && !back.read());
                    assertEquals(1, back.attribute());
                    p.release();
                    assertNull(ch.readInbound());
                    assertFalse(ch.finish());
                }
            }
        }
    }

    @Test
    void typedViewsReadWhatBuildersWrite() {
        IscsiPdu r = DataInPdu.create().itt(5).dataSn(3).bufferOffset(8192).residualCount(12)
                .flags(DataInPdu.FLAG_FINAL | DataInPdu.FLAG_STATUS | DataInPdu.FLAG_UNDERFLOW).status(0).pdu();
        DataInPdu d = new DataInPdu(r);
        assertEquals(3, d.dataSn());
        assertEquals(8192, d.bufferOffset());
        assertTrue(d.hasStatus() && d.finalBit());
        assertEquals(IscsiPdu.RESERVED_TAG, r.u32(DataInPdu.OFFSET_TTT));
        IscsiPdu l = LoginPdu.request(LoginPdu.stageFlags(true, false, 1, 3), 0x123456789abcL, 7, 9, 1, 100, 200);
        assertEquals(0x123456789abcL, LoginPdu.isid(l));
        assertEquals(7, LoginPdu.tsih(l));
        assertEquals(1, LoginPdu.csg(l));
        assertEquals(3, LoginPdu.nsg(l));
        assertTrue(LoginPdu.transit(l));
        assertTrue(l.immediate());
        IscsiPdu t = TaskMgmtPdu.request(TaskMgmtPdu.ABORT_TASK, 0, 1, 2, 3, 4, 5);
        assertEquals(TaskMgmtPdu.ABORT_TASK, TaskMgmtPdu.function(t));
        assertEquals(2, TaskMgmtPdu.referencedTaskTag(t));
        assertEquals(5, TaskMgmtPdu.refCmdSn(t));
    }

    @Test
    void extendedCdbFromAhs() {
        ScsiCommandPdu c = ScsiCommandPdu.create().cdb(new byte[16]);
        byte[] ahs = new byte[20];
        ahs[1] = 17;       // AHSLength: reserved byte + 16 more CDB bytes (32-byte CDB)
        ahs[2] = ScsiCommandPdu.AHS_EXTENDED_CDB;
        for (int i = 0; i < 16; i++) {
            ahs[4 + i] = (byte) (i + 1);
        }
        c.pdu().ahs(ahs);
        byte[] cdb = new ScsiCommandPdu(encodeDecode(c.pdu())).cdb();
        assertEquals(32, cdb.length);
        assertEquals(16, cdb[31]);
    }

    static IscsiPdu encodeDecode(IscsiPdu p) {
        EmbeddedChannel ch = decoder(8192, false, false);
        ch.writeInbound(encode(p, false, false));
        return ch.readInbound();
    }

    @Test
    void unknownOpcodeIsReportedNotThrown() {
        EmbeddedChannel ch = decoder(8192, false, false);
        IscsiPdu bad = IscsiPdu.create(0x2d).data(Unpooled.wrappedBuffer(new byte[10]));
        ch.writeInbound(encode(bad, false, false));
        MalformedPdu m = assertInstanceOf(MalformedPdu.class, ch.readInbound());
        assertEquals(RejectPdu.COMMAND_NOT_SUPPORTED, m.reason());
        // The stream stays framed: the next PDU decodes.
        ch.writeInbound(encode(NopPdu.nopOut(1, -1, 0, 0, true), false, false));
        assertInstanceOf(IscsiPdu.class, ch.readInbound());
        assertFalse(ch.finish());
    }

    @Test
    void oversizedDataSegmentIsSkippedWithoutAllocation() {
        EmbeddedChannel ch = decoder(8192, false, false);
        IscsiPdu big = NopPdu.nopOut(1, -1, 0, 0, true).data(Unpooled.wrappedBuffer(new byte[8193]));
        ByteBuf wire = encode(big, false, false);
        // Only the header arrives first: the decoder already knows it will reject and has allocated nothing.
        ch.writeInbound(wire.readRetainedSlice(48));
        assertNull(ch.readInbound());
        ch.writeInbound(wire);
        MalformedPdu m = assertInstanceOf(MalformedPdu.class, ch.readInbound());
        assertEquals(RejectPdu.PROTOCOL_ERROR, m.reason());
        assertTrue(m.detail().contains("MaxRecvDataSegmentLength"));
        ch.writeInbound(encode(NopPdu.nopOut(2, -1, 0, 0, true), false, false));
        assertEquals(2, ((IscsiPdu) ch.readInbound()).itt());
        assertFalse(ch.finish());
    }

    @Test
    void ahsOnAPduWithoutAhsIsInvalidField() {
        EmbeddedChannel ch = decoder(8192, false, false);
        ch.writeInbound(encode(NopPdu.nopOut(1, -1, 0, 0, true).ahs(new byte[4]), false, false));
        assertEquals(RejectPdu.INVALID_PDU_FIELD, ((MalformedPdu) ch.readInbound()).reason());
    }

    @Test
    void shortInputWaits() {
        EmbeddedChannel ch = decoder(8192, false, false);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[47]));
        assertNull(ch.readInbound());
        assertTrue(ch.isActive());
        ch.finishAndReleaseAll();
    }

    @Test
    void badHeaderDigestDropsTheStream() {
        EmbeddedChannel ch = decoder(8192, true, false);
        ByteBuf wire = encode(NopPdu.nopOut(1, -1, 0, 0, true), true, false);
        wire.setByte(48, wire.getByte(48) ^ 1);
        DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(wire));
        assertInstanceOf(IscsiProtocolException.class, e.getCause());
    }

    @Test
    void badDataDigestIsRejectable() {
        EmbeddedChannel ch = decoder(8192, true, true);
        IscsiPdu p = NopPdu.nopOut(1, -1, 0, 0, true).data(Unpooled.copiedBuffer("abcdef", StandardCharsets.US_ASCII));
        ByteBuf wire = encode(p, true, true);
        wire.setByte(wire.writerIndex() - 1, wire.getByte(wire.writerIndex() - 1) ^ 1);
        ch.writeInbound(wire);
        assertEquals(RejectPdu.DATA_DIGEST_ERROR, ((MalformedPdu) ch.readInbound()).reason());
        ch.writeInbound(encode(NopPdu.nopOut(3, -1, 0, 0, true), true, true));
        assertEquals(3, ((IscsiPdu) ch.readInbound()).itt());
        assertFalse(ch.finish());
    }

    @Test
    void crc32cMatchesTheRfc3720TestVectors() {
        // RFC 3720 B.4: 32 bytes of zeros -> aa 36 91 8a on the wire.
        int crc = Crc32c.of(Unpooled.wrappedBuffer(new byte[32]), 0, 32, IscsiPdu.padding(32));
        ByteBuf le = Unpooled.buffer(4).writeIntLE(crc);
        assertArrayEquals(new byte[] {(byte) 0xaa, 0x36, (byte) 0x91, (byte) 0x8a}, le.array());
        byte[] ones = new byte[32];
        java.util.Arrays.fill(ones, (byte) 0xff);
        le = Unpooled.buffer(4).writeIntLE(Crc32c.of(Unpooled.wrappedBuffer(ones), 0, 32, IscsiPdu.padding(32)));
        assertArrayEquals(new byte[] {0x43, (byte) 0xab, (byte) 0xa8, 0x62}, le.array());
    }

    @Test
    void serialNumberArithmetic() {
        assertTrue(SerialNumber.lt(0xfffffff0, 5));
        assertTrue(SerialNumber.gt(5, 0xfffffff0));
        assertTrue(SerialNumber.inWindow(2, 0xfffffffe, 10));
        assertFalse(SerialNumber.inWindow(11, 0xfffffffe, 10));
    }
}
