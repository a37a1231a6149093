package dev.ferry.frontend.nvmetcp.pdu;

import dev.ferry.core.buffer.Crc32c;
import dev.ferry.core.buffer.IoBuffers;
import static dev.ferry.frontend.nvmetcp.pdu.PduType.*;

import dev.ferry.frontend.nvme.spec.Sqe;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Host-to-controller PDU decoder with the explicit states of a PDU's layout (NVMe/TCP 1.0 3.6.2 Figure 15): CH,
 * PSH, HDGST, PAD, DATA, DDGST. HLEN, PDO, PLEN and the digest flags are checked against the PDU type and the
 * negotiated parameters as soon as the 8-byte common header is in, so nothing is buffered for a PDU that is
 * malformed or larger than this controller accepts. A fatal error emits {@link Pdu.Fatal} once and then discards
 * all further input, since the byte stream can no longer be framed.
 *
 * <p>Nothing is accumulated: each received buffer is consumed as it comes. Headers (at most 128 bytes) gather in
 * one reused buffer; data is copied once, straight from the received buffer into its final place: in-capsule
 * data into an I/O buffer of its own that becomes the command's, H2CData into the transfer buffer the {@link
 * H2CDataPlacement} names. The {@link Pdu.CapsuleCommand} is one reused instance.
 */
public final class PduDecoder extends ChannelInboundHandlerAdapter {
    private enum State { CH, PSH, HDGST, PAD, DATA, DDGST, FAILED }

    private final ConnectionParameters params;
    private final ByteBuf header = Unpooled.buffer(IC_HLEN, IC_HLEN);
    private final Pdu.CapsuleCommand capsule = new Pdu.CapsuleCommand(header.slice(CH_SIZE, Sqe.SIZE));
    private H2CDataPlacement placement;
    private State state = State.CH;
    private int type;
    private int flags;
    private int hlen;
    private int padLength;
    private int dataLength;
    private boolean hasHeaderDigest;
    private boolean hasDataDigest;
    /** Where the current PDU's data goes, from {@link #dataStart}; owned (retained, for a placed H2CData). */
    private ByteBuf data;
    private int dataStart;
    /** A digest as its (up to four, little-endian) bytes arrive. */
    private int digest;
    private int digestBytes;

    public PduDecoder(ConnectionParameters params) {
        this.params = params;
    }

    /** Where H2CData goes from now on; until one is set, an H2CData PDU is a PDU sequence error. */
    public void placeH2CDataWith(H2CDataPlacement h2cPlacement) {
        this.placement = h2cPlacement;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            decode(ctx, in);
        } finally {
            in.release();
        }
    }

    private void decode(ChannelHandlerContext ctx, ByteBuf in) {
        while (true) {
            switch (state) {
                case CH -> {
                    if (!gather(in, CH_SIZE)) {
                        return;
                    }
                    if (!checkCommonHeader(ctx)) {
                        return;
                    }
                    state = State.PSH;
                }
                case PSH -> {
                    if (!gather(in, hlen)) {
                        return;
                    }
                    if (type == H2C_DATA && header.getIntLE(DATA_DATAL) != dataLength) {
                        fail(ctx, FatalErrorStatus.INVALID_HEADER_FIELD, DATA_DATAL, "DATAL disagrees with PLEN");
                        return;
                    }
                    state = hasHeaderDigest ? State.HDGST : State.PAD;
                }
                case HDGST -> {
                    if (!gatherDigest(in)) {
                        return;
                    }
                    if (digest != Crc32c.of(header, 0, hlen)) {
                        fail(ctx, FatalErrorStatus.HEADER_DIGEST_ERROR, digest & 0xFFFFFFFFL, "header digest");
                        return;
                    }
                    digest = 0;
                    digestBytes = 0;
                    state = State.PAD;
                }
                case PAD -> {
                    int skip = Math.min(padLength, in.readableBytes());
                    in.skipBytes(skip);
                    padLength -= skip;
                    if (padLength > 0) {
                        return;
                    }
                    if (dataLength == 0) {
                        emit(ctx, false);
                    } else if (startData(ctx)) {
                        state = State.DATA;
                    } else {
                        return;
                    }
                }
                case DATA -> {
                    int missing = dataStart + dataLength - data.writerIndex();
                    int n = Math.min(missing, in.readableBytes());
                    data.writeBytes(in, n);
                    if (n < missing) {
                        return;
                    }
                    if (hasDataDigest) {
                        state = State.DDGST;
                    } else {
                        emit(ctx, false);
                    }
                }
                case DDGST -> {
                    if (!gatherDigest(in)) {
                        return;
                    }
                    // Not fatal (3.5.2): the command ends with a transient transport error instead.
                    emit(ctx, digest != Crc32c.of(data, dataStart, dataLength));
                }
                case FAILED -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
            }
        }
    }

    /** Copies header bytes until {@code length} of them are in; true once they are. */
    private boolean gather(ByteBuf in, int length) {
        int n = Math.min(length - header.writerIndex(), in.readableBytes());
        header.writeBytes(in, n);
        return header.writerIndex() == length;
    }

    private boolean gatherDigest(ByteBuf in) {
        while (digestBytes < DIGEST_SIZE && in.isReadable()) {
            digest |= in.readUnsignedByte() << (8 * digestBytes++);
        }
        return digestBytes == DIGEST_SIZE;
    }

    /** The data of the PDU starts: chooses its destination. False when an H2CData PDU was refused. */
    private boolean startData(ChannelHandlerContext ctx) {
        switch (type) {
            case CAPSULE_CMD -> data = IoBuffers.allocate(dataLength);
            case H2C_TERM_REQ -> data = ctx.alloc().heapBuffer(dataLength, dataLength);
            case H2C_DATA -> {
                if (placement == null) {
                    fail(ctx, FatalErrorStatus.PDU_SEQUENCE_ERROR, 0, "H2CData before the queue is ready");
                    return false;
                }
                ByteBuf to = placement.destination(header, header.getUnsignedShortLE(DATA_CCCID),
                        header.getUnsignedShortLE(DATA_TTAG), header.getIntLE(DATA_DATAO), dataLength);
                if (to == null) {
                    state = State.FAILED; // the placement answered the host and closes the connection
                    return false;
                }
                data = to.retain(); // held while filling, whatever the connection does meanwhile
            }
            default -> throw new IllegalStateException("no data for type " + type);
        }
        dataStart = data.writerIndex();
        return true;
    }

    /** Validates CH fields for the PDU type; on success sets the lengths of the states that follow. */
    private boolean checkCommonHeader(ChannelHandlerContext ctx) {
        type = header.getUnsignedByte(CH_TYPE);
        flags = header.getUnsignedByte(CH_FLAGS);
        hlen = header.getUnsignedByte(CH_HLEN);
        int pdo = header.getUnsignedByte(CH_PDO);
        long plen = header.getUnsignedIntLE(CH_PLEN);
        hasHeaderDigest = false;
        hasDataDigest = false;
        padLength = 0;
        dataLength = 0;
        digest = 0;
        digestBytes = 0;
        switch (type) {
            case IC_REQ -> {
                if (hlen != IC_HLEN) {
                    return fail(ctx, FatalErrorStatus.INVALID_HEADER_FIELD, CH_HLEN, "ICReq HLEN");
                }
                if (pdo != 0) {
                    return fail(ctx, FatalErrorStatus.INVALID_HEADER_FIELD, CH_PDO, "ICReq PDO");
                }
                if (plen != IC_HLEN) {
                    return fail(ctx, FatalErrorStatus.INVALID_HEADER_FIELD, CH_PLEN, "ICReq PLEN");
                }
                return true;
            }
            case H2C_TERM_REQ -> {
                if (hlen != TERM_REQ_HLEN) {
                    return fail(ctx, FatalErrorStatus.INVALID_HEADER_FIELD, CH_HLEN, "H2CTermReq HLEN");
                }
                if (plen < TERM_REQ_HLEN || plen > TERM_REQ_HLEN + TERM_REQ_MAX_DATA) {
                    // 3.6.2.4: such a TermReq is ignored and the connection closed, without answering.
                    return fail(ctx, 0, CH_PLEN, "H2CTermReq PLEN");
                }
                dataLength = (int) plen - TERM_REQ_HLEN;
                return true;
            }
            case CAPSULE_CMD, H2C_DATA -> {
                int expectedHlen = type == CAPSULE_CMD ? CAPSULE_CMD_HLEN : DATA_HLEN;
                if (hlen != expectedHlen) {
                    return fail(ctx, FatalErrorStatus.INVALID_HEADER_FIELD, CH_HLEN, "HLEN");
                }
                return checkDataLayout(ctx, pdo, plen);
            }
            default -> {
                return fail(ctx, FatalErrorStatus.INVALID_HEADER_FIELD, CH_TYPE, "PDU type " + type);
            }
        }
    }

    private boolean checkDataLayout(ChannelHandlerContext ctx, int pdo, long plen) {
        hasHeaderDigest = params.headerDigest();
        if (((flags & FLAG_HDGSTF) != 0) != hasHeaderDigest) {
            return fail(ctx, FatalErrorStatus.INVALID_HEADER_FIELD, CH_FLAGS, "HDGSTF disagrees with ICReq");
        }
        int headerEnd = hlen + (hasHeaderDigest ? DIGEST_SIZE : 0);
        if (plen < headerEnd) {
            return fail(ctx, FatalErrorStatus.INVALID_HEADER_FIELD, CH_PLEN, "PLEN shorter than header");
        }
        boolean hasData = plen > headerEnd;
        if (!hasData) {
            if (type == H2C_DATA) {
                return fail(ctx, FatalErrorStatus.INVALID_HEADER_FIELD, CH_PLEN, "H2CData without data");
            }
            if ((flags & FLAG_DDGSTF) != 0) {
                return fail(ctx, FatalErrorStatus.INVALID_HEADER_FIELD, CH_FLAGS, "DDGSTF without data");
            }
            return true;
        }
        hasDataDigest = params.dataDigest();
        if (((flags & FLAG_DDGSTF) != 0) != hasDataDigest) {
            return fail(ctx, FatalErrorStatus.INVALID_HEADER_FIELD, CH_FLAGS, "DDGSTF disagrees with ICReq");
        }
        int alignment = (ConnectionParameters.CPDA + 1) * 4;
        if (pdo < headerEnd || pdo % alignment != 0 || pdo - headerEnd > TERM_REQ_MAX_DATA) {
            return fail(ctx, FatalErrorStatus.INVALID_HEADER_FIELD, CH_PDO, "PDO");
        }
        long length = plen - pdo - (hasDataDigest ? DIGEST_SIZE : 0);
        if (length <= 0) {
            return fail(ctx, FatalErrorStatus.INVALID_HEADER_FIELD, CH_PLEN, "PLEN leaves no data");
        }
        if (type == H2C_DATA && length > ConnectionParameters.MAX_H2C_DATA) {
            return fail(ctx, FatalErrorStatus.DATA_TRANSFER_LIMIT_EXCEEDED, CH_PLEN, "H2CData above MAXH2CDATA");
        }
        if (type == CAPSULE_CMD && length > ConnectionParameters.MAX_IN_CAPSULE_DATA) {
            return fail(ctx, FatalErrorStatus.DATA_TRANSFER_OUT_OF_RANGE, CH_PLEN, "in-capsule data above IOCCSZ");
        }
        padLength = pdo - headerEnd;
        dataLength = (int) length;
        return true;
    }

    private boolean fail(ChannelHandlerContext ctx, int fes, long fei, String reason) {
        state = State.FAILED;
        releaseData();
        ctx.fireChannelRead(new Pdu.Fatal(fes, fei, header.copy(0, header.writerIndex()), reason));
        return false;
    }

    /** One PDU is complete: it goes up the pipeline (H2CData: to its placement), and the next one starts. */
    private void emit(ChannelHandlerContext ctx, boolean dataDigestError) {
        ByteBuf d = data;
        data = null;
        state = State.CH;
        header.clear();
        digest = 0;
        digestBytes = 0;
        switch (type) {
            case IC_REQ -> ctx.fireChannelRead(new Pdu.IcReq(header.getUnsignedShortLE(IC_PFV),
                    header.getUnsignedByte(IC_PDA), header.getUnsignedByte(IC_DGST),
                    header.getUnsignedIntLE(IC_MAXR2T_OR_MAXH2CDATA)));
            case H2C_TERM_REQ -> ctx.fireChannelRead(new Pdu.TermReq(header.getUnsignedShortLE(TERM_FES),
                    header.getUnsignedIntLE(TERM_FEI), d));
            case CAPSULE_CMD -> {
                capsule.set(d, dataDigestError);
                ctx.fireChannelRead(capsule);
            }
            case H2C_DATA -> {
                d.release(); // the transfer keeps its own reference
                placement.placed(header.getUnsignedShortLE(DATA_TTAG), dataDigestError);
            }
            default -> throw new IllegalStateException("type checked in CH state: " + type);
        }
    }

    private void releaseData() {
        if (data != null) {
            data.release();
            data = null;
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseData();
        capsule.release();
    }
}
