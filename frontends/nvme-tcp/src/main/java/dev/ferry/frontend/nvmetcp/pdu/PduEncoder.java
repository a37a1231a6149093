package dev.ferry.frontend.nvmetcp.pdu;

import dev.ferry.core.buffer.Crc32c;
import static dev.ferry.frontend.nvmetcp.pdu.PduType.*;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Controller-to-host PDU encoder. Headers are small heap buffers; C2HData payloads go out as the caller's buffer,
 * not copied. Digests follow the negotiated parameters; TermReqs and ICResp never carry them (3.6.2.3, 3.6.2.5).
 */
public final class PduEncoder extends MessageToMessageEncoder<Pdu> {
    private final ConnectionParameters params;

    public PduEncoder(ConnectionParameters params) {
        super(Pdu.class);
        this.params = params;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Pdu pdu, List<Object> out) {
        if (pdu instanceof Pdu.IcResp r) {
            ByteBuf b = ctx.alloc().heapBuffer(IC_HLEN);
            commonHeader(b, IC_RESP, 0, IC_HLEN, 0, IC_HLEN);
            b.writeShortLE(r.pfv()).writeByte(r.cpda()).writeByte(r.digest()).writeIntLE(r.maxH2cData());
            b.writeZero(IC_HLEN - b.writerIndex());
            out.add(b);
        } else if (pdu instanceof Pdu.CapsuleResponse r) {
            ByteBuf b = headerOnly(ctx, CAPSULE_RESP, CAPSULE_RESP_HLEN);
            b.writeBytes(r.cqe());
            r.cqe().release();
            out.add(withHeaderDigest(b));
        } else if (pdu instanceof Pdu.R2t r) {
            ByteBuf b = headerOnly(ctx, R2T, R2T_HLEN);
            b.writeShortLE(r.cccid()).writeShortLE(r.ttag()).writeIntLE(r.offset()).writeIntLE(r.length())
                    .writeZero(4);
            out.add(withHeaderDigest(b));
        } else if (pdu instanceof Pdu.C2HData d) {
            encodeData(ctx, d, out);
        } else if (pdu instanceof Pdu.TermReq t) {
            int len = t.header() == null ? 0 : Math.min(t.header().readableBytes(), TERM_REQ_MAX_DATA);
            ByteBuf b = ctx.alloc().heapBuffer(TERM_REQ_HLEN + len);
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

    /** C2HData: CH+PSH, HDGST, PAD up to the host's alignment (HPDA), DATA, DDGST. */
    private void encodeData(ChannelHandlerContext ctx, Pdu.C2HData d, List<Object> out) {
        boolean hd = params.headerDigest();
        boolean dd = params.dataDigest();
        int headerEnd = DATA_HLEN + (hd ? DIGEST_SIZE : 0);
        int align = params.hostPduDataAlignment();
        int pdo = (headerEnd + align - 1) / align * align;
        int length = d.data().readableBytes();
        int flags = (hd ? FLAG_HDGSTF : 0) | (dd ? FLAG_DDGSTF : 0) | (d.last() ? FLAG_LAST_PDU : 0)
                | (d.success() ? FLAG_SUCCESS : 0);
        ByteBuf b = ctx.alloc().heapBuffer(pdo);
        commonHeader(b, C2H_DATA, flags, DATA_HLEN, pdo, pdo + length + (dd ? DIGEST_SIZE : 0));
        b.writeShortLE(d.cccid()).writeZero(2).writeIntLE(d.dataOffset()).writeIntLE(length).writeZero(4);
        if (hd) {
            b.writeIntLE(Crc32c.of(b, 0, DATA_HLEN));
        }
        b.writeZero(pdo - headerEnd);
        out.add(b);
        int digest = dd ? Crc32c.of(d.data(), d.data().readerIndex(), length) : 0;
        out.add(d.data());
        if (dd) {
            out.add(ctx.alloc().heapBuffer(DIGEST_SIZE).writeIntLE(digest));
        }
    }

    private ByteBuf headerOnly(ChannelHandlerContext ctx, int type, int hlen) {
        boolean hd = params.headerDigest();
        ByteBuf b = ctx.alloc().heapBuffer(hlen + DIGEST_SIZE);
        commonHeader(b, type, hd ? FLAG_HDGSTF : 0, hlen, 0, hlen + (hd ? DIGEST_SIZE : 0));
        return b;
    }

    private ByteBuf withHeaderDigest(ByteBuf b) {
        if (params.headerDigest()) {
            b.writeIntLE(Crc32c.of(b, 0, b.writerIndex()));
        }
        return b;
    }

    private static void commonHeader(ByteBuf b, int type, int flags, int hlen, int pdo, int plen) {
        b.writeByte(type).writeByte(flags).writeByte(hlen).writeByte(pdo).writeIntLE(plen);
    }
}
