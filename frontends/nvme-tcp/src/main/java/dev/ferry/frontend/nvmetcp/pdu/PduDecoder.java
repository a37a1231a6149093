package dev.ferry.frontend.nvmetcp.pdu;

import dev.ferry.core.buffer.Crc32c;
import static dev.ferry.frontend.nvmetcp.pdu.PduType.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Host-to-controller PDU decoder with the explicit states of a PDU's layout (NVMe/TCP 1.0 3.6.2 Figure 15): CH,
 * PSH, HDGST, PAD, DATA, DDGST. HLEN, PDO, PLEN and the digest flags are checked against the PDU type and the
 * negotiated parameters as soon as the 8-byte common header is in, so nothing is buffered for a PDU that is
 * malformed or larger than this controller accepts. A fatal error emits {@link Pdu.Fatal} once and then discards
 * all further input, since the byte stream can no longer be framed.
 */
public final class PduDecoder extends ByteToMessageDecoder {
    private enum State { CH, PSH, HDGST, PAD, DATA, DDGST, FAILED }

    private final ConnectionParameters params;
    private final ByteBuf header = Unpooled.buffer(IC_HLEN, IC_HLEN);
    private State state = State.CH;
    private int type;
    private int flags;
    private int hlen;
    private int padLength;
    private int dataLength;
    private boolean hasHeaderDigest;
    private boolean hasDataDigest;
    private ByteBuf data;
    private boolean dataDigestError;

    public PduDecoder(ConnectionParameters params) {
        this.params = params;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            switch (state) {
                case CH -> {
                    if (in.readableBytes() < CH_SIZE) {
                        return;
                    }
                    header.clear();
                    in.readBytes(header, CH_SIZE);
                    if (!checkCommonHeader(out)) {
                        return;
                    }
                    state = State.PSH;
                }
                case PSH -> {
                    if (in.readableBytes() < hlen - CH_SIZE) {
                        return;
                    }
                    in.readBytes(header, hlen - CH_SIZE);
                    if (type == H2C_DATA && header.getIntLE(DATA_DATAL) != dataLength) {
                        fail(out, FatalErrorStatus.INVALID_HEADER_FIELD, DATA_DATAL, "DATAL disagrees with PLEN");
                        return;
                    }
                    state = hasHeaderDigest ? State.HDGST : State.PAD;
                }
                case HDGST -> {
                    if (in.readableBytes() < DIGEST_SIZE) {
                        return;
                    }
                    int received = in.readIntLE();
                    if (received != Crc32c.of(header, 0, hlen)) {
                        fail(out, FatalErrorStatus.HEADER_DIGEST_ERROR, received & 0xFFFFFFFFL, "header digest");
                        return;
                    }
                    state = State.PAD;
                }
                case PAD -> {
                    if (in.readableBytes() < padLength) {
                        return;
                    }
                    in.skipBytes(padLength);
                    state = State.DATA;
                }
                case DATA -> {
                    if (in.readableBytes() < dataLength) {
                        return;
                    }
                    data = dataLength == 0 ? null : in.readRetainedSlice(dataLength);
                    if (!hasDataDigest) {
                        emit(out);
                        return;
                    }
                    state = State.DDGST;
                }
                case DDGST -> {
                    if (in.readableBytes() < DIGEST_SIZE) {
                        return;
                    }
                    // Not fatal (3.5.2): the command ends with a transient transport error instead.
                    dataDigestError = in.readIntLE() != Crc32c.of(data, data.readerIndex(), dataLength);
                    emit(out);
                    return;
                }
                case FAILED -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
            }
        }
    }

    /** Validates CH fields for the PDU type; on success sets the lengths of the states that follow. */
    private boolean checkCommonHeader(List<Object> out) {
        type = header.getUnsignedByte(CH_TYPE);
        flags = header.getUnsignedByte(CH_FLAGS);
        hlen = header.getUnsignedByte(CH_HLEN);
        int pdo = header.getUnsignedByte(CH_PDO);
        long plen = header.getUnsignedIntLE(CH_PLEN);
        hasHeaderDigest = false;
        hasDataDigest = false;
        padLength = 0;
        dataLength = 0;
        dataDigestError = false;
        switch (type) {
            case IC_REQ -> {
                if (hlen != IC_HLEN) {
                    return fail(out, FatalErrorStatus.INVALID_HEADER_FIELD, CH_HLEN, "ICReq HLEN");
                }
                if (pdo != 0) {
                    return fail(out, FatalErrorStatus.INVALID_HEADER_FIELD, CH_PDO, "ICReq PDO");
                }
                if (plen != IC_HLEN) {
                    return fail(out, FatalErrorStatus.INVALID_HEADER_FIELD, CH_PLEN, "ICReq PLEN");
                }
                return true;
            }
            case H2C_TERM_REQ -> {
                if (hlen != TERM_REQ_HLEN) {
                    return fail(out, FatalErrorStatus.INVALID_HEADER_FIELD, CH_HLEN, "H2CTermReq HLEN");
                }
                if (plen < TERM_REQ_HLEN || plen > TERM_REQ_HLEN + TERM_REQ_MAX_DATA) {
                    // 3.6.2.4: such a TermReq is ignored and the connection closed, without answering.
                    return fail(out, 0, CH_PLEN, "H2CTermReq PLEN");
                }
                dataLength = (int) plen - TERM_REQ_HLEN;
                return true;
            }
            case CAPSULE_CMD, H2C_DATA -> {
                int expectedHlen = type == CAPSULE_CMD ? CAPSULE_CMD_HLEN : DATA_HLEN;
                if (hlen != expectedHlen) {
                    return fail(out, FatalErrorStatus.INVALID_HEADER_FIELD, CH_HLEN, "HLEN");
                }
                return checkDataLayout(out, pdo, plen);
            }
            default -> {
                return fail(out, FatalErrorStatus.INVALID_HEADER_FIELD, CH_TYPE, "PDU type " + type);
            }
        }
    }

    private boolean checkDataLayout(List<Object> out, int pdo, long plen) {
        hasHeaderDigest = params.headerDigest();
        if (((flags & FLAG_HDGSTF) != 0) != hasHeaderDigest) {
            return fail(out, FatalErrorStatus.INVALID_HEADER_FIELD, CH_FLAGS, "HDGSTF disagrees with ICReq");
        }
        int headerEnd = hlen + (hasHeaderDigest ? DIGEST_SIZE : 0);
        if (plen < headerEnd) {
            return fail(out, FatalErrorStatus.INVALID_HEADER_FIELD, CH_PLEN, "PLEN shorter than header");
        }
        boolean hasData = plen > headerEnd;
        if (!hasData) {
            if (type == H2C_DATA) {
                return fail(out, FatalErrorStatus.INVALID_HEADER_FIELD, CH_PLEN, "H2CData without data");
            }
            if ((flags & FLAG_DDGSTF) != 0) {
                return fail(out, FatalErrorStatus.INVALID_HEADER_FIELD, CH_FLAGS, "DDGSTF without data");
            }
            return true;
        }
        hasDataDigest = params.dataDigest();
        if (((flags & FLAG_DDGSTF) != 0) != hasDataDigest) {
            return fail(out, FatalErrorStatus.INVALID_HEADER_FIELD, CH_FLAGS, "DDGSTF disagrees with ICReq");
        }
        int alignment = (ConnectionParameters.CPDA + 1) * 4;
        if (pdo < headerEnd || pdo % alignment != 0 || pdo - headerEnd > TERM_REQ_MAX_DATA) {
            return fail(out, FatalErrorStatus.INVALID_HEADER_FIELD, CH_PDO, "PDO");
        }
        long length = plen - pdo - (hasDataDigest ? DIGEST_SIZE : 0);
        if (length <= 0) {
            return fail(out, FatalErrorStatus.INVALID_HEADER_FIELD, CH_PLEN, "PLEN leaves no data");
        }
        if (type == H2C_DATA && length > ConnectionParameters.MAX_H2C_DATA) {
            return fail(out, FatalErrorStatus.DATA_TRANSFER_LIMIT_EXCEEDED, CH_PLEN, "H2CData above MAXH2CDATA");
        }
        if (type == CAPSULE_CMD && length > ConnectionParameters.MAX_IN_CAPSULE_DATA) {
            return fail(out, FatalErrorStatus.DATA_TRANSFER_OUT_OF_RANGE, CH_PLEN, "in-capsule data above IOCCSZ");
        }
        padLength = pdo - headerEnd;
        dataLength = (int) length;
        return true;
    }

    private boolean fail(List<Object> out, int fes, long fei, String reason) {
        state = State.FAILED;
        out.add(new Pdu.Fatal(fes, fei, header.copy(0, header.writerIndex()), reason));
        return false;
    }

    private void emit(List<Object> out) {
        ByteBuf d = data;
        data = null;
        state = State.CH;
        switch (type) {
            case IC_REQ -> out.add(new Pdu.IcReq(header.getUnsignedShortLE(IC_PFV), header.getUnsignedByte(IC_PDA),
                    header.getUnsignedByte(IC_DGST), header.getUnsignedIntLE(IC_MAXR2T_OR_MAXH2CDATA)));
            case H2C_TERM_REQ -> out.add(new Pdu.TermReq(header.getUnsignedShortLE(TERM_FES),
                    header.getUnsignedIntLE(TERM_FEI), d));
            case CAPSULE_CMD -> out.add(new Pdu.CapsuleCommand(header.copy(CH_SIZE, 64), d, dataDigestError));
            case H2C_DATA -> out.add(new Pdu.H2CData(header.getUnsignedShortLE(DATA_CCCID),
                    header.getUnsignedShortLE(DATA_TTAG), header.getIntLE(DATA_DATAO),
                    (flags & FLAG_LAST_PDU) != 0, d, dataDigestError));
            default -> throw new IllegalStateException("type checked in CH state: " + type);
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        header.release();
        if (data != null) {
            data.release();
            data = null;
        }
    }
}
