package dev.ferry.frontend.nvmetcp.pdu;

import dev.ferry.core.buffer.Crc32c;
import static dev.ferry.frontend.nvmetcp.pdu.PduType.*;

import dev.ferry.frontend.nvme.NvmeRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Controller-to-host PDUs. The per-command ones (C2HData, CapsuleResp, R2T) are written by the queue handler
 * through the {@code write...} methods straight into the direct buffers it sends, with the negotiated digests; a
 * C2HData payload goes out as the read buffer itself, not copied. The once-per-connection ones (ICResp, TermReq)
 * pass through the pipeline as {@link Pdu} messages and are encoded here; they never carry digests (3.6.2.3,
 * 3.6.2.5).
 */
public final class PduEncoder extends MessageToMessageEncoder<Pdu> {
    /** Longest header a per-command PDU's HDGST covers (C2HData, CapsuleResp and R2T are all 24 bytes). */
    private static final int DIGESTED_HEADER_MAX = 24;

    private final ConnectionParameters params;
    /**
     * The header being digested, copied to the heap: a digest over the direct buffer itself would make a new NIO
     * view of it per PDU (the channel's allocator does not keep one), the only object a response would allocate.
     */
    private final ByteBuf digestScratch = Unpooled.buffer(DIGESTED_HEADER_MAX, DIGESTED_HEADER_MAX);

    public PduEncoder(ConnectionParameters params) {
        super(Pdu.class);
        this.params = params;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Pdu pdu, List<Object> out) {
        if (pdu instanceof Pdu.IcResp r) {
            ByteBuf b = ctx.alloc().directBuffer(IC_HLEN);
            commonHeader(b, IC_RESP, 0, IC_HLEN, 0, IC_HLEN);
            b.writeShortLE(r.pfv()).writeByte(r.cpda()).writeByte(r.digest()).writeIntLE(r.maxH2cData());
            b.writeZero(IC_HLEN - b.writerIndex());
            out.add(b);
        } else if (pdu instanceof Pdu.TermReq t) {
            int len = t.header() == null ? 0 : Math.min(t.header().readableBytes(), TERM_REQ_MAX_DATA);
            ByteBuf b = ctx.alloc().directBuffer(TERM_REQ_HLEN + len);
            commonHeader(b, C2H_TERM_REQ, 0, TERM_REQ_HLEN, 0, TERM_REQ_HLEN + len);
            b.writeShortLE(t.fes()).writeIntLE((int) t.fei()).writeZero(TERM_REQ_HLEN - 14);
            if (t.header() != null) {
                b.writeBytes(t.header(), t.header().readerIndex(), len);
                t.header().release();
            }
            out.add(b);
        } else {
            throw new IllegalArgumentException("not a controller-to-host PDU: " + pdu);
        }
    }

    private int headerDigestLength() {
        return params.headerDigest() ? DIGEST_SIZE : 0;
    }

    /** Bytes of a C2HData PDU before its data: CH+PSH, HDGST, PAD up to the host's alignment (HPDA). */
    public int c2hDataHeaderLength() {
        int headerEnd = DATA_HLEN + headerDigestLength();
        int align = params.hostPduDataAlignment();
        return (headerEnd + align - 1) / align * align;
    }

    /** C2HData (3.6.2.9) up to its data, {@link #c2hDataHeaderLength()} bytes; the data and DDGST follow. */
    public void writeC2hDataHeader(ByteBuf out, int cccid, int dataOffset, int length, boolean last,
                                   boolean success) {
        boolean hd = params.headerDigest();
        boolean dd = params.dataDigest();
        int start = out.writerIndex();
        int pdo = c2hDataHeaderLength();
        int flags = (hd ? FLAG_HDGSTF : 0) | (dd ? FLAG_DDGSTF : 0) | (last ? FLAG_LAST_PDU : 0)
                | (success ? FLAG_SUCCESS : 0);
        commonHeader(out, C2H_DATA, flags, DATA_HLEN, pdo, pdo + length + dataDigestLength());
        out.writeShortLE(cccid).writeZero(2).writeIntLE(dataOffset).writeIntLE(length).writeZero(4);
        writeHeaderDigest(out, start);
        out.writeZero(start + pdo - out.writerIndex());
    }

    /** Bytes of the DDGST that follows C2HData data: 4 with data digests, else 0. */
    public int dataDigestLength() {
        return params.dataDigest() ? DIGEST_SIZE : 0;
    }

    /** The DDGST of {@code data}'s readable bytes, when data digests are on. */
    public void writeDataDigest(ByteBuf out, ByteBuf data) {
        if (params.dataDigest()) {
            out.writeIntLE(Crc32c.of(data, data.readerIndex(), data.readableBytes()));
        }
    }

    /** Bytes of a CapsuleResp PDU. */
    public int capsuleResponseLength() {
        return CAPSULE_RESP_HLEN + headerDigestLength();
    }

    /** CapsuleResp (3.6.2.7) carrying the completed request's 16-byte CQE. */
    public void writeCapsuleResponse(ByteBuf out, NvmeRequest completed) {
        int start = out.writerIndex();
        commonHeader(out, CAPSULE_RESP, params.headerDigest() ? FLAG_HDGSTF : 0, CAPSULE_RESP_HLEN, 0,
                capsuleResponseLength());
        completed.writeCqe(out);
        writeHeaderDigest(out, start);
    }

    /** Bytes of an R2T PDU. */
    public int r2tLength() {
        return R2T_HLEN + headerDigestLength();
    }

    /** R2T (3.6.2.10). */
    public void writeR2t(ByteBuf out, int cccid, int ttag, int offset, int length) {
        int start = out.writerIndex();
        commonHeader(out, R2T, params.headerDigest() ? FLAG_HDGSTF : 0, R2T_HLEN, 0, r2tLength());
        out.writeShortLE(cccid).writeShortLE(ttag).writeIntLE(offset).writeIntLE(length).writeZero(4);
        writeHeaderDigest(out, start);
    }

    private void writeHeaderDigest(ByteBuf out, int start) {
        if (params.headerDigest()) {
            int length = out.writerIndex() - start;
            digestScratch.clear();
            out.getBytes(start, digestScratch, length);
            out.writeIntLE(Crc32c.of(digestScratch, 0, length));
        }
    }

    private static void commonHeader(ByteBuf b, int type, int flags, int hlen, int pdo, int plen) {
        b.writeByte(type).writeByte(flags).writeByte(hlen).writeByte(pdo).writeIntLE(plen);
    }
}
