package dev.ferry.frontend.iscsi.pdu;

import dev.ferry.core.buffer.Crc32c;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Frames the byte stream into {@link IscsiPdu}s (RFC 7143 11.2). Every header field that sizes what follows is
 * checked before anything is allocated. Content problems that leave the framing intact (unknown opcode, data segment
 * over our MaxRecvDataSegmentLength, AHS on a PDU that has none, data digest mismatch) yield a {@link MalformedPdu}
 * after the PDU's bytes are skipped, so the connection can answer with a Reject; a header digest mismatch means the
 * lengths themselves cannot be trusted and throws {@link IscsiProtocolException}, which drops the connection.
 */
public final class IscsiPduDecoder extends ByteToMessageDecoder {
    /** RFC 7143 11.2.1.2: TotalAHSLength is in 4-byte words, 8 bits. */
    private static final int MAX_AHS_LENGTH = 255 * 4;

    /** FAILED: a header digest mismatched; the connection is being dropped and the bytes after it mean nothing. */
    private enum State { BHS, HEADER_REST, DATA, SKIP, FAILED }

    private State state = State.BHS;
    private boolean headerDigest;
    private boolean dataDigest;
    private int maxRecvDataSegmentLength;

    private byte[] bhs;
    private int ahsLength;
    private int dataLength;
    private int skipRemaining;
    private MalformedPdu pendingMalformed;

    public IscsiPduDecoder(int maxRecvDataSegmentLength) {
        this.maxRecvDataSegmentLength = maxRecvDataSegmentLength;
    }

    /** Digests apply from the first PDU after the final Login Response (RFC 7143 13.1). */
    public void digests(boolean header, boolean data) {
        this.headerDigest = header;
        this.dataDigest = data;
    }

    public void maxRecvDataSegmentLength(int v) {
        this.maxRecvDataSegmentLength = v;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            switch (state) {
                case BHS -> {
                    if (in.readableBytes() < IscsiPdu.BHS_LENGTH) {
                        return;
                    }
                    bhs = new byte[IscsiPdu.BHS_LENGTH];
                    in.readBytes(bhs);
                    ahsLength = (bhs[4] & 0xff) * 4;
                    dataLength = ((bhs[5] & 0xff) << 16) | ((bhs[6] & 0xff) << 8) | (bhs[7] & 0xff);
                    state = State.HEADER_REST;
                }
                case HEADER_REST -> {
                    int need = ahsLength + (headerDigest ? Crc32c.DIGEST_LENGTH : 0);
                    if (in.readableBytes() < need) {
                        return;
                    }
                    byte[] ahs = null;
                    if (ahsLength > 0) {
                        ahs = new byte[ahsLength];
                        in.readBytes(ahs);
                    }
                    if (headerDigest) {
                        int expected = Crc32c.of(bhs, ahs);
                        int got = in.readIntLE();
                        if (got != expected) {
                            // Also when the connection closes, the rest of the stream is not decoded.
                            state = State.FAILED;
                            throw new IscsiProtocolException(String.format(
                                    "header digest mismatch on %s: got 0x%08x, computed 0x%08x",
                                    Opcode.name(bhs[0] & 0x3f), got, expected));
                        }
                    }
                    String problem = validate(ahsLength);
                    int wire = dataLength + IscsiPdu.padding(dataLength) + (dataLength > 0 && dataDigest ? Crc32c.DIGEST_LENGTH : 0);
                    if (problem != null) {
                        int reason = Opcode.isInitiatorOpcode(bhs[0] & 0x3f) ? RejectPdu.PROTOCOL_ERROR
                                : RejectPdu.COMMAND_NOT_SUPPORTED;
                        if (problem.startsWith("AHS")) {
                            reason = RejectPdu.INVALID_PDU_FIELD;
                        }
                        pendingMalformed = new MalformedPdu(reason, bhs, problem);
                        skipRemaining = wire;
                        state = State.SKIP;
                        continue;
                    }
                    pendingAhs = ahs;
                    state = State.DATA;
                }
                case DATA -> {
                    int pad = IscsiPdu.padding(dataLength);
                    int digest = dataLength > 0 && dataDigest ? Crc32c.DIGEST_LENGTH : 0;
                    if (in.readableBytes() < dataLength + pad + digest) {
                        return;
                    }
                    ByteBuf data = dataLength == 0 ? Unpooled.EMPTY_BUFFER : in.readRetainedSlice(dataLength);
                    in.skipBytes(pad);
                    byte[] header = bhs;
                    byte[] ahs = pendingAhs;
                    bhs = null;
                    pendingAhs = null;
                    state = State.BHS;
                    if (digest > 0) {
                        int got = in.readIntLE();
                        int expected = Crc32c.of(data, data.readerIndex(), dataLength, IscsiPdu.padding(dataLength));
                        if (got != expected) {
                            data.release();
                            out.add(new MalformedPdu(RejectPdu.DATA_DIGEST_ERROR, header, String.format(
                                    "data digest mismatch: got 0x%08x, computed 0x%08x", got, expected)));
                            continue;
                        }
                    }
                    out.add(new IscsiPdu(header, ahs, data));
                }
                case SKIP -> {
                    int n = Math.min(skipRemaining, in.readableBytes());
                    in.skipBytes(n);
                    skipRemaining -= n;
                    if (skipRemaining > 0) {
                        return;
                    }
                    out.add(pendingMalformed);
                    pendingMalformed = null;
                    bhs = null;
                    state = State.BHS;
                }
                case FAILED -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    private byte[] pendingAhs;

    /** @return why the PDU cannot be accepted, or null */
    private String validate(int ahsLen) {
        int op = bhs[0] & 0x3f;
        if (!Opcode.isInitiatorOpcode(op)) {
            return "opcode 0x" + Integer.toHexString(op) + " is not an initiator opcode";
        }
        if (op >= 0x1c && op <= 0x1e) {
            return "vendor-specific opcode 0x" + Integer.toHexString(op) + " not supported";
        }
        if (ahsLen > 0 && !Opcode.mayCarryAhs(op)) {
            return "AHS (" + ahsLen + " bytes) on a " + Opcode.name(op);
        }
        if (ahsLen > MAX_AHS_LENGTH) {
            return "AHS too long";
        }
        if (dataLength > maxRecvDataSegmentLength) {
            return "DataSegmentLength " + dataLength + " exceeds MaxRecvDataSegmentLength " + maxRecvDataSegmentLength;
        }
        return null;
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        bhs = null;
        pendingAhs = null;
    }
}
