package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.buffer.IoBuffers;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.UnitRegistry;
import dev.ferry.frontend.nvme.FabricsPort;
import dev.ferry.frontend.nvme.FabricsTransport;
import dev.ferry.frontend.nvme.NvmeTarget;
import dev.ferry.frontend.nvmetcp.pdu.ConnectionParameters;
import dev.ferry.frontend.nvmetcp.pdu.H2CDataPlacement;
import dev.ferry.frontend.nvmetcp.pdu.Pdu;
import dev.ferry.frontend.nvmetcp.pdu.PduDecoder;
import dev.ferry.frontend.nvmetcp.pdu.PduEncoder;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PDU layouts from NVMe/TCP 1.0 3.6.2 against the decoder, encoder and connection setup, on EmbeddedChannels. */
class PduCodecTest {

    private static ConnectionParameters digests(boolean hd, boolean dd, int hpda) {
        ConnectionParameters p = new ConnectionParameters();
        p.negotiated(hd, dd, hpda);
        return p;
    }

    private static byte[] capsule(boolean hd, boolean dd, byte[] data) {
        int hdl = hd ? 4 : 0;
        boolean hasData = data != null;
        int plen = 72 + hdl + (hasData ? data.length + (dd ? 4 : 0) : 0);
        ByteBuffer b = NvmeTcpTestHost.le(plen);
        b.put((byte) 4).put((byte) ((hd ? 1 : 0) | (hasData && dd ? 2 : 0))).put((byte) 72)
                .put((byte) (hasData ? 72 + hdl : 0)).putInt(plen);
        byte[] sqe = new byte[64];
        sqe[0] = 0x18;
        sqe[2] = 0x34;
        b.put(sqe);
        if (hd) {
            b.putInt(NvmeTcpTestHost.crc(b.array(), 0, 72));
        }
        if (hasData) {
            b.put(data);
            if (dd) {
                b.putInt(NvmeTcpTestHost.crc(data, 0, data.length));
            }
        }
        return b.array();
    }

    @Test
    void icReqDecodes() {
        EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder(new ConnectionParameters()));
        ByteBuffer b = NvmeTcpTestHost.le(128);
        b.put((byte) 0).put((byte) 0).put((byte) 128).put((byte) 0).putInt(128);
        b.putShort((short) 0).put((byte) 2).put((byte) 3).putInt(15);
        ch.writeInbound(Unpooled.wrappedBuffer(b.array()));
        Pdu.IcReq req = assertInstanceOf(Pdu.IcReq.class, ch.readInbound());
        assertEquals(new Pdu.IcReq(0, 2, 3, 15), req);
    }

    @Test
    void capsuleWithDigestsDecodesEvenByteByByte() {
        byte[] data = new byte[100];
        data[99] = 7;
        byte[] wire = capsule(true, true, data);
        EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder(digests(true, true, 0)));
        for (byte b : wire) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        Pdu.CapsuleCommand c = assertInstanceOf(Pdu.CapsuleCommand.class, ch.readInbound());
        assertEquals(0x18, c.sqe().getUnsignedByte(0));
        assertEquals(0x34, c.sqe().getUnsignedShortLE(2));
        assertEquals(100, c.data().readableBytes());
        assertEquals(7, c.data().getByte(c.data().readerIndex() + 99));
        assertFalse(c.dataDigestError());
        c.release();
    }

    @Test
    void inCapsuleDataArrivesInAnAlignedIoBufferOfExactlyItsLength() {
        byte[] data = new byte[4096];
        data[4095] = 9;
        EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder(new ConnectionParameters()));
        ch.writeInbound(Unpooled.wrappedBuffer(capsule(false, false, data)));
        Pdu.CapsuleCommand c = assertInstanceOf(Pdu.CapsuleCommand.class, ch.readInbound());
        ByteBuf d = c.takeData();
        assertEquals(4096, d.capacity(), "the command's own buffer: no larger receive buffer pinned");
        assertEquals(0, d.memoryAddress() % IoBuffers.ALIGNMENT, "aligned for direct I/O");
        assertEquals(9, d.getByte(d.readerIndex() + 4095));
        d.release();
    }

    /** Records where the decoder places H2CData and what it reports. */
    private static final class Placement implements H2CDataPlacement {
        final ByteBuf buffer = Unpooled.buffer(16, 16);
        int asked;
        int placed;
        boolean digestError;

        @Override
        public ByteBuf destination(ByteBuf header, int cccid, int ttag, int dataOffset, int length) {
            asked++;
            assertEquals(7, cccid);
            assertEquals(3, ttag);
            assertEquals(buffer.writerIndex(), dataOffset);
            return buffer;
        }

        @Override
        public void placed(int ttag, boolean error) {
            placed++;
            digestError |= error;
        }
    }

    private static byte[] h2cData(int offset, byte[] data, boolean dd) {
        int plen = 24 + data.length + (dd ? 4 : 0);
        ByteBuffer b = NvmeTcpTestHost.le(plen);
        b.put((byte) 6).put((byte) (dd ? 2 : 0)).put((byte) 24).put((byte) 24).putInt(plen);
        b.putShort((short) 7).putShort((short) 3).putInt(offset).putInt(data.length).putInt(0).put(data);
        if (dd) {
            b.putInt(NvmeTcpTestHost.crc(data, 0, data.length));
        }
        return b.array();
    }

    @Test
    void h2cDataGoesStraightIntoItsPlaceAsItArrives() {
        PduDecoder decoder = new PduDecoder(digests(false, true, 0));
        Placement placement = new Placement();
        decoder.placeH2CDataWith(placement);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        byte[] first = h2cData(0, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, true);
        ch.writeInbound(Unpooled.wrappedBuffer(first, 0, 24));
        assertEquals(1, placement.asked, "the destination is known from the header, before any data");
        ch.writeInbound(Unpooled.wrappedBuffer(first, 24, 5));
        assertEquals(5, placement.buffer.writerIndex(), "data is placed as it comes, nothing held back");
        ch.writeInbound(Unpooled.wrappedBuffer(first, 29, first.length - 29));
        assertEquals(8, placement.buffer.writerIndex());
        assertEquals(1, placement.placed);
        assertFalse(placement.digestError);

        byte[] second = h2cData(8, new byte[] {9, 10, 11, 12, 13, 14, 15, 16}, true);
        second[second.length - 1] ^= 1;
        ch.writeInbound(Unpooled.wrappedBuffer(second));
        assertEquals(2, placement.placed);
        assertTrue(placement.digestError, "a data digest error is reported, not fatal");
        for (int i = 0; i < 16; i++) {
            assertEquals(i + 1, placement.buffer.getByte(i));
        }
        assertNull(ch.readInbound(), "H2CData goes to its placement, not up the pipeline");
        placement.buffer.release();
    }

    @Test
    void dataDigestErrorIsReportedNotFatal() {
        byte[] wire = capsule(false, true, new byte[8]);
        wire[wire.length - 1] ^= 1;
        EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder(digests(false, true, 0)));
        ch.writeInbound(Unpooled.wrappedBuffer(wire));
        Pdu.CapsuleCommand c = assertInstanceOf(Pdu.CapsuleCommand.class, ch.readInbound());
        assertTrue(c.dataDigestError());
        c.release();
    }

    private static Pdu.Fatal fatalFor(ConnectionParameters p, byte[] wire) {
        EmbeddedChannel ch = new EmbeddedChannel(new PduDecoder(p));
        ch.writeInbound(Unpooled.wrappedBuffer(wire));
        Pdu.Fatal f = assertInstanceOf(Pdu.Fatal.class, ch.readInbound());
        f.header().release();
        // The stream cannot be framed any more: later bytes are dropped.
        ch.writeInbound(Unpooled.wrappedBuffer(capsule(false, false, null)));
        assertNull(ch.readInbound());
        return f;
    }

    @Test
    void malformedHeadersAreFatalWithFieldOffsets() {
        byte[] wrongHlen = capsule(false, false, null);
        wrongHlen[2] = 70;
        Pdu.Fatal f = fatalFor(new ConnectionParameters(), wrongHlen);
        assertEquals(1, f.fes());
        assertEquals(2, f.fei(), "FEI = HLEN offset");

        byte[] unknownType = capsule(false, false, null);
        unknownType[0] = 0x0A;
        f = fatalFor(new ConnectionParameters(), unknownType);
        assertEquals(1, f.fes());
        assertEquals(0, f.fei());

        f = fatalFor(digests(true, false, 0), capsule(false, false, null));
        assertEquals(1, f.fes(), "HDGSTF missing although negotiated");
        assertEquals(1, f.fei());

        byte[] badDigest = capsule(true, false, null);
        badDigest[75] ^= 1;
        f = fatalFor(digests(true, false, 0), badDigest);
        assertEquals(3, f.fes(), "header digest error");

        ByteBuffer huge = NvmeTcpTestHost.le(24);
        huge.put((byte) 6).put((byte) 4).put((byte) 24).put((byte) 24).putInt(24 + 1024 * 1024);
        f = fatalFor(new ConnectionParameters(), huge.array());
        assertEquals(5, f.fes(), "H2CData above MAXH2CDATA is refused before it is buffered");

        ByteBuffer badPdo = NvmeTcpTestHost.le(80);
        badPdo.put((byte) 4).put((byte) 0).put((byte) 72).put((byte) 40).putInt(80);
        f = fatalFor(new ConnectionParameters(), badPdo.array());
        assertEquals(1, f.fes());
        assertEquals(3, f.fei(), "PDO inside the header");
    }

    @Test
    void c2hDataLayoutHonoursDigestsAndHostAlignment() {
        PduEncoder encoder = new PduEncoder(digests(true, true, 3));
        ByteBuf data = Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        ByteBuf header = Unpooled.buffer();
        encoder.writeC2hDataHeader(header, 0x1234, 0, 8, true, false);
        assertEquals(encoder.c2hDataHeaderLength(), header.readableBytes());
        ByteBuf ddgst = Unpooled.buffer();
        encoder.writeDataDigest(ddgst, data);
        assertEquals(encoder.dataDigestLength(), ddgst.readableBytes());
        assertEquals(7, header.getByte(0), "C2HData");
        assertEquals(1 | 2 | 4, header.getByte(1), "HDGSTF DDGSTF LAST_PDU, no SUCCESS");
        assertEquals(24, header.getByte(2));
        assertEquals(32, header.getByte(3), "PDO: 24 + 4 rounded up to (HPDA 3 + 1) * 4 = 16");
        assertEquals(32 + 8 + 4, header.getIntLE(4), "PLEN");
        assertEquals(0x1234, header.getUnsignedShortLE(8), "CCCID");
        assertEquals(8, header.getIntLE(16), "DATAL");
        byte[] h = new byte[24];
        header.getBytes(0, h);
        assertEquals(NvmeTcpTestHost.crc(h, 0, 24), header.getIntLE(24), "HDGST over CH + PSH");
        assertEquals(32, header.readableBytes());
        assertEquals(8, data.readableBytes());
        assertEquals(NvmeTcpTestHost.crc(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 0, 8), ddgst.getIntLE(0));
        header.release();
        data.release();
        ddgst.release();
    }

    @Test
    void r2tLayout() {
        PduEncoder encoder = new PduEncoder(new ConnectionParameters());
        ByteBuf r2t = Unpooled.buffer();
        encoder.writeR2t(r2t, 5, 6, 0, 65536);
        assertEquals(encoder.r2tLength(), r2t.readableBytes());
        assertEquals(9, r2t.getByte(0));
        assertEquals(24, r2t.getIntLE(4));
        assertEquals(5, r2t.getShortLE(8));
        assertEquals(6, r2t.getShortLE(10));
        assertEquals(0, r2t.getIntLE(12));
        assertEquals(65536, r2t.getIntLE(16));
        r2t.release();
    }

    /** The full pipeline on an EmbeddedChannel with an empty registry. */
    private static EmbeddedChannel pipeline() {
        ConnectionParameters p = new ConnectionParameters();
        FabricsTransport none = new FabricsTransport() {
            public int transportType() { return 3; }
            public int ioInCapsuleDataSize() { return 8192; }
            public int maxSglDescriptors() { return 1; }
            public byte[] transportSpecificAddress() { return new byte[256]; }
            public List<FabricsPort> ports() { return List.of(); }
        };
        NvmeTarget target = new NvmeTarget(new UnitRegistry(), none);
        return new EmbeddedChannel(new PduDecoder(p), new PduEncoder(p), new IcReqHandler(p),
                new TcpQueueHandler(target, c -> new CompletionQueue(c.eventLoop(), 16),
                        TcpLimits.fromSystemProperties()));
    }

    @Test
    void aCapsuleBeforeIcReqIsAPduSequenceError() {
        EmbeddedChannel ch = pipeline();
        ch.writeInbound(Unpooled.wrappedBuffer(capsule(false, false, null)));
        ByteBuf term = ch.readOutbound();
        assertEquals(3, term.getByte(0), "C2HTermReq");
        assertEquals(2, term.getShortLE(8), "FES PDU Sequence Error");
        term.release();
        assertFalse(ch.isOpen());
    }

    @Test
    void icReqNegotiatesDigestsAndUnknownTtagIsFatal() {
        EmbeddedChannel ch = pipeline();
        ByteBuffer b = NvmeTcpTestHost.le(128);
        b.put((byte) 0).put((byte) 0).put((byte) 128).put((byte) 0).putInt(128);
        b.putShort((short) 0).put((byte) 0).put((byte) 1).putInt(0);
        ch.writeInbound(Unpooled.wrappedBuffer(b.array()));
        ByteBuf resp = ch.readOutbound();
        assertEquals(1, resp.getByte(0), "ICResp");
        assertEquals(128, resp.getIntLE(4));
        assertEquals(0, resp.getShortLE(8), "PFV");
        assertEquals(1, resp.getByte(11), "only the header digest, as asked");
        assertEquals(ConnectionParameters.MAX_H2C_DATA, resp.getIntLE(12), "MAXH2CDATA");
        resp.release();

        int plen = 24 + 4 + 4;
        ByteBuffer h2c = NvmeTcpTestHost.le(plen);
        h2c.put((byte) 6).put((byte) (1 | 4)).put((byte) 24).put((byte) 28).putInt(plen);
        h2c.putShort((short) 1).putShort((short) 77).putInt(0).putInt(4).putInt(0);
        h2c.putInt(NvmeTcpTestHost.crc(h2c.array(), 0, 24));
        h2c.putInt(0x01020304);
        ch.writeInbound(Unpooled.wrappedBuffer(h2c.array()));
        ByteBuf term = ch.readOutbound();
        assertEquals(3, term.getByte(0), "C2HTermReq");
        assertEquals(0, term.getByte(1), "TermReqs carry no digest");
        assertEquals(1, term.getShortLE(8), "Invalid PDU Header Field");
        assertEquals(10, term.getIntLE(10), "FEI: TTAG");
        term.release();
        assertFalse(ch.isOpen());
    }
}
