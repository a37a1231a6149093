package dev.ferry.frontend.iscsi.pdu;

import dev.ferry.core.buffer.Crc32c;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Writes {@link IscsiPdu}s: header (+ header digest), then the data segment itself (not copied unless small), then
 * padding and the data digest. The responses of the I/O path (Data-In, SCSI Response, R2T) skip the PDU object:
 * their headers are written straight into pooled direct buffers ({@link #writeDataIn}, {@link #writeScsiResponse},
 * {@link #writeR2t}).
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

    /**
     * A Data-In (RFC 7143 11.7) of {@code length} bytes of {@code data} from {@code index} (retained, not copied
     * unless small); StatSN, status and residual count only matter with the S flag.
     */
    public void writeDataIn(ChannelHandlerContext ctx, int flags, int status, long lun, int itt, int statSn,
                            int expCmdSn, int maxCmdSn, int dataSn, int bufferOffset, int residualCount,
                            ByteBuf data, int index, int length) {
        ByteBuf h = bhs(ctx, Opcode.SCSI_DATA_IN, flags, length);
        h.setByte(DataInPdu.OFFSET_STATUS, status);
        h.setLong(8, lun);
        h.setInt(16, itt);
        h.setInt(DataInPdu.OFFSET_TTT, IscsiPdu.RESERVED_TAG);
        sequence(h, statSn, expCmdSn, maxCmdSn);
        h.setInt(DataInPdu.OFFSET_DATASN, dataSn);
        h.setInt(DataInPdu.OFFSET_BUFFER_OFFSET, bufferOffset);
        h.setInt(DataInPdu.OFFSET_RESIDUAL, residualCount);
        write(ctx, h, data, index, length);
    }

    /** A SCSI Response (RFC 7143 11.4), with {@code sense} (may be null) as SenseLength + sense data (11.4.7). */
    public void writeScsiResponse(ChannelHandlerContext ctx, int residualFlags, int response, int status, int itt,
                                  int statSn, int expCmdSn, int maxCmdSn, int expDataSn, int residualCount,
                                  byte[] sense) {
        ByteBuf senseData = sense == null || sense.length == 0 ? Unpooled.EMPTY_BUFFER
                : Unpooled.buffer(2 + sense.length).writeShort(sense.length).writeBytes(sense);
        ByteBuf h = bhs(ctx, Opcode.SCSI_RESPONSE, 0x80 | residualFlags, senseData.readableBytes());
        h.setByte(ScsiResponsePdu.OFFSET_RESPONSE, response);
        h.setByte(ScsiResponsePdu.OFFSET_STATUS, status);
        h.setInt(16, itt);
        sequence(h, statSn, expCmdSn, maxCmdSn);
        h.setInt(ScsiResponsePdu.OFFSET_EXP_DATASN, expDataSn);
        h.setInt(ScsiResponsePdu.OFFSET_RESIDUAL, residualCount);
        write(ctx, h, senseData, 0, senseData.readableBytes());
        senseData.release();
    }

    /** A Ready To Transfer (RFC 7143 11.8) for {@code length} bytes at {@code bufferOffset}. */
    public void writeR2t(ChannelHandlerContext ctx, long lun, int itt, int ttt, int statSn, int expCmdSn,
                         int maxCmdSn, int r2tSn, int bufferOffset, int length) {
        ByteBuf h = bhs(ctx, Opcode.R2T, 0x80, 0);
        h.setLong(8, lun);
        h.setInt(16, itt);
        h.setInt(R2tPdu.OFFSET_TTT, ttt);
        sequence(h, statSn, expCmdSn, maxCmdSn);
        h.setInt(R2tPdu.OFFSET_R2TSN, r2tSn);
        h.setInt(R2tPdu.OFFSET_BUFFER_OFFSET, bufferOffset);
        h.setInt(R2tPdu.OFFSET_DESIRED_LENGTH, length);
        write(ctx, h, Unpooled.EMPTY_BUFFER, 0, 0);
    }

    /** A zeroed BHS in a pooled direct buffer, with room for the header digest and a small data segment. */
    private ByteBuf bhs(ChannelHandlerContext ctx, int opcode, int flags, int dataLength) {
        int inline = dataLength <= COPY_THRESHOLD ? dataLength + IscsiPdu.padding(dataLength)
                + (dataLength > 0 && dataDigest ? Crc32c.DIGEST_LENGTH : 0) : 0;
        ByteBuf h = ctx.alloc().directBuffer(IscsiPdu.BHS_LENGTH + (headerDigest ? Crc32c.DIGEST_LENGTH : 0) + inline);
        h.writeZero(IscsiPdu.BHS_LENGTH);
        h.setByte(0, opcode);
        h.setByte(1, flags);
        return h;
    }

    private static void sequence(ByteBuf h, int statSn, int expCmdSn, int maxCmdSn) {
        h.setInt(TargetPdu.OFFSET_STATSN, statSn);
        h.setInt(TargetPdu.OFFSET_EXP_CMDSN, expCmdSn);
        h.setInt(TargetPdu.OFFSET_MAX_CMDSN, maxCmdSn);
    }

    /** Sets DataSegmentLength, adds the header digest and writes the header with its data segment (no flush). */
    private void write(ChannelHandlerContext ctx, ByteBuf h, ByteBuf data, int index, int len) {
        h.setMedium(5, len);
        if (headerDigest) {
            h.writeIntLE(Crc32c.of(h, 0, IscsiPdu.BHS_LENGTH));
        }
        if (len == 0) {
            ctx.write(h, ctx.voidPromise());
            return;
        }
        int pad = IscsiPdu.padding(len);
        int dd = dataDigest ? Crc32c.DIGEST_LENGTH : 0;
        int digest = dd > 0 ? Crc32c.of(data, index, len, pad) : 0;
        if (len <= COPY_THRESHOLD) {
            h.writeBytes(data, index, len);
            h.writeZero(pad);
            if (dd > 0) {
                h.writeIntLE(digest);
            }
            ctx.write(h, ctx.voidPromise());
            return;
        }
        ctx.write(h, ctx.voidPromise());
        ctx.write(data.retainedSlice(index, len), ctx.voidPromise());
        if (pad + dd > 0) {
            ByteBuf trailer = ctx.alloc().directBuffer(pad + dd);
            trailer.writeZero(pad);
            if (dd > 0) {
                trailer.writeIntLE(digest);
            }
            ctx.write(trailer, ctx.voidPromise());
        }
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
