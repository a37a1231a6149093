package dev.ferry.frontend.iscsi.pdu;

import dev.ferry.core.buffer.Crc32c;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Writes {@link IscsiPdu}s: header (+ header digest), then the data segment itself (not copied unless small), then
 * padding and the data digest.
 */
public final class IscsiPduEncoder extends MessageToMessageEncoder<IscsiPdu> {
    /** Data segments up to this size are copied next to the header: one buffer beats a gathering write. */
    private static final int COPY_THRESHOLD = 1024;

    private boolean headerDigest;
    private boolean dataDigest;

    public IscsiPduEncoder() {
        super(IscsiPdu.class);
    }

    public void digests(boolean header, boolean data) {
        this.headerDigest = header;
        this.dataDigest = data;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, IscsiPdu pdu, List<Object> out) {
        byte[] ahs = pdu.ahs();
        ByteBuf data = pdu.data();
        int len = data.readableBytes();
        int pad = IscsiPdu.padding(len);
        int dd = len > 0 && dataDigest ? Crc32c.DIGEST_LENGTH : 0;
        int headerLen = IscsiPdu.BHS_LENGTH + (ahs == null ? 0 : ahs.length) + (headerDigest ? Crc32c.DIGEST_LENGTH : 0);
        boolean inline = len <= COPY_THRESHOLD;
        ByteBuf header = ctx.alloc().directBuffer(headerLen + (inline ? len + pad + dd : 0));
        header.writeBytes(pdu.bhs());
        if (ahs != null) {
            header.writeBytes(ahs);
        }
        if (headerDigest) {
            header.writeIntLE(Crc32c.of(pdu.bhs(), ahs));
        }
        if (len == 0) {
            out.add(header);
            return;
        }
        int digest = dd > 0 ? Crc32c.of(data, data.readerIndex(), len, IscsiPdu.padding(len)) : 0;
        if (inline) {
            header.writeBytes(data, data.readerIndex(), len);
            header.writeZero(pad);
            if (dd > 0) {
                header.writeIntLE(digest);
            }
            out.add(header);
            return;
        }
        out.add(header);
        out.add(data.retainedSlice());
        if (pad + dd > 0) {
            ByteBuf trailer = ctx.alloc().directBuffer(pad + dd);
            trailer.writeZero(pad);
            if (dd > 0) {
                trailer.writeIntLE(digest);
            }
            out.add(trailer);
        }
    }
}
