package dev.ferry.frontend.iscsi.pdu;

import dev.ferry.core.buffer.Crc32c;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;

/**
 * Frames the byte stream into {@link IscsiPdu}s (RFC 7143 11.2) as it arrives, without gathering it first: header
 * bytes go into a reused header, and the data segment is copied once, straight from the socket buffer into where
 * it ends up ({@link DataLanding}: a write's own I/O buffer), or into a buffer of its own. Every header field that
 * sizes what follows is checked before anything is allocated. Content problems that leave the framing intact
 * (unknown opcode, data segment over our MaxRecvDataSegmentLength, AHS on a PDU that has none, data digest mismatch)
 * yield a {@link MalformedPdu} after the PDU's bytes are skipped, so the connection can answer with a Reject; a
 * header digest mismatch means the lengths themselves cannot be trusted and raises {@link IscsiProtocolException},
 * which drops the connection, and nothing after it is decoded.
 *
 * <p>Each PDU is passed on as soon as it is complete. By default it is a new {@link IscsiPdu}; with {@link #reuse}
 * it is one reused object whose header the next PDU overwrites, for a handler that consumes each PDU before
 * returning (and {@link IscsiPdu#detach detaches} one it keeps).
 */
public final class IscsiPduDecoder extends ChannelInboundHandlerAdapter {
    /** RFC 7143 11.2.1.2: TotalAHSLength is in 4-byte words, 8 bits. */
    private static final int MAX_AHS_LENGTH = 255 * 4;

    /** FAILED: a header digest mismatched (or decoding failed); the connection is being dropped, the rest is noise. */
    private enum State { BHS, AHS, HEADER_DIGEST, DATA, PADDING, DATA_DIGEST, SKIP, FAILED }

    private State state = State.BHS;
    private boolean headerDigest;
    private boolean dataDigest;
    private int maxRecvDataSegmentLength;
    private DataLanding landing;
    private boolean reuse;

    /** The PDU being decoded: its header array is reused for every PDU. */
    private final IscsiPdu current = new IscsiPdu(new byte[IscsiPdu.BHS_LENGTH], null, null);
    private final byte[] digest = new byte[Crc32c.DIGEST_LENGTH];
    /** Bytes of the current header part (BHS, AHS, a digest) gathered so far. */
    private int gathered;
    private byte[] ahs;
    private int dataLength;
    /** Where the data segment goes (one reference is ours until the PDU is passed on), or null. */
    private ByteBuf data;
    private int skipRemaining;
    private MalformedPdu pendingMalformed;
    /** A buffer came in since the last channelReadComplete, and whether a PDU went out of it. */
    private boolean read;
    private boolean passedOn;

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

    /** Asks {@code l} where each data segment goes (null: a buffer of the decoder's own). */
    public void landing(DataLanding l) {
        this.landing = l;
    }

    /** Passes on one reused {@link IscsiPdu} instead of a new one per PDU (see the class comment). */
    public void reuse(boolean on) {
        this.reuse = on;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        read = true;
        try {
            decode(ctx, in);
        } catch (RuntimeException | Error e) {
            // A header digest mismatch, or a failure taking a buffer: where the next PDU starts is unknown now.
            state = State.FAILED;
            discardPartial();
            if (e instanceof IscsiProtocolException) {
                throw new DecoderException(e);
            }
            throw e;
        } finally {
            in.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // As ByteToMessageDecoder: without auto-read, a partial PDU still needs the next read to complete it.
        if (read && !passedOn && !ctx.channel().config().isAutoRead()) {
            ctx.read();
        }
        read = false;
        passedOn = false;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        discardPartial();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        discardPartial();
    }

    private void discardPartial() {
        if (data != null) {
            data.release();
            data = null;
        }
        ahs = null;
        pendingMalformed = null;
    }

    private void decode(ChannelHandlerContext ctx, ByteBuf in) {
        while (in.isReadable()) {
            switch (state) {
                case BHS -> {
                    if (!gather(in, current.bhs(), IscsiPdu.BHS_LENGTH)) {
                        return;
                    }
                    byte[] bhs = current.bhs();
                    int ahsLength = (bhs[4] & 0xff) * 4;
                    dataLength = ((bhs[5] & 0xff) << 16) | ((bhs[6] & 0xff) << 8) | (bhs[7] & 0xff);
                    ahs = ahsLength > 0 ? new byte[ahsLength] : null;
                    state = ahs != null ? State.AHS : headerDigest ? State.HEADER_DIGEST : headerDone(ctx);
                }
                case AHS -> {
                    if (!gather(in, ahs, ahs.length)) {
                        return;
                    }
                    state = headerDigest ? State.HEADER_DIGEST : headerDone(ctx);
                }
                case HEADER_DIGEST -> {
                    if (!gather(in, digest, Crc32c.DIGEST_LENGTH)) {
                        return;
                    }
                    int expected = Crc32c.of(current.bhs(), ahs);
                    int got = littleEndian(digest);
                    if (got != expected) {
                        state = State.FAILED;
                        throw new IscsiProtocolException(String.format(
                                "header digest mismatch on %s: got 0x%08x, computed 0x%08x",
                                Opcode.name(current.opcode()), got, expected));
                    }
                    state = headerDone(ctx);
                }
                case DATA -> {
                    int n = Math.min(data.writableBytes(), in.readableBytes());
                    data.writeBytes(in, n);
                    if (data.isWritable()) {
                        return;
                    }
                    state = IscsiPdu.padding(dataLength) > 0 ? State.PADDING : dataDigest ? State.DATA_DIGEST
                            : dataDone(ctx);
                }
                case PADDING -> {
                    int pad = IscsiPdu.padding(dataLength);
                    int n = Math.min(pad - gathered, in.readableBytes());
                    in.skipBytes(n);
                    gathered += n;
                    if (gathered < pad) {
                        return;
                    }
                    gathered = 0;
                    state = dataDigest ? State.DATA_DIGEST : dataDone(ctx);
                }
                case DATA_DIGEST -> {
                    if (!gather(in, digest, Crc32c.DIGEST_LENGTH)) {
                        return;
                    }
                    state = dataDone(ctx);
                }
                case SKIP -> {
                    int n = Math.min(skipRemaining, in.readableBytes());
                    in.skipBytes(n);
                    skipRemaining -= n;
                    if (skipRemaining > 0) {
                        return;
                    }
                    MalformedPdu m = pendingMalformed;
                    pendingMalformed = null;
                    state = State.BHS;
                    passOn(ctx, m);
                }
                case FAILED -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
                default -> throw new IllegalStateException();
            }
        }
        // A PDU whose last part was exactly at the end of this buffer (or one of no data) is complete already.
    }

    /** Copies header bytes until {@code length} are there; resets the count for the next part once they are. */
    private boolean gather(ByteBuf in, byte[] into, int length) {
        int n = Math.min(length - gathered, in.readableBytes());
        in.readBytes(into, gathered, n);
        gathered += n;
        if (gathered < length) {
            return false;
        }
        gathered = 0;
        return true;
    }

    /** The header is complete and trusted: check it, then receive its data segment (or pass it on). */
    private State headerDone(ChannelHandlerContext ctx) {
        String problem = validate();
        if (problem != null) {
            int op = current.opcode();
            int reason = problem.startsWith("AHS") ? RejectPdu.INVALID_PDU_FIELD
                    : Opcode.isInitiatorOpcode(op) ? RejectPdu.PROTOCOL_ERROR : RejectPdu.COMMAND_NOT_SUPPORTED;
            pendingMalformed = new MalformedPdu(reason, current.bhs().clone(), problem);
            skipRemaining = wireDataLength();
            ahs = null;
            if (skipRemaining > 0) {
                return State.SKIP;
            }
            MalformedPdu m = pendingMalformed;
            pendingMalformed = null;
            passOn(ctx, m);
            return State.BHS;
        }
        if (dataLength == 0) {
            return pduDone(ctx, Unpooled.EMPTY_BUFFER);
        }
        current.reset(ahs, null);
        ByteBuf to = landing != null ? landing.landingFor(current) : null;
        data = to != null ? to : ctx.alloc().buffer(dataLength, dataLength);
        return State.DATA;
    }

    private int wireDataLength() {
        return dataLength == 0 ? 0
                : dataLength + IscsiPdu.padding(dataLength) + (dataDigest ? Crc32c.DIGEST_LENGTH : 0);
    }

    /** The data segment, its padding and digest are in: check the digest, then pass the PDU on. */
    private State dataDone(ChannelHandlerContext ctx) {
        ByteBuf d = data;
        data = null;
        if (dataDigest) {
            int got = littleEndian(digest);
            int expected = Crc32c.of(d, d.readerIndex(), dataLength, IscsiPdu.padding(dataLength));
            if (got != expected) {
                d.release();
                ahs = null;
                passOn(ctx, new MalformedPdu(RejectPdu.DATA_DIGEST_ERROR, current.bhs().clone(), String.format(
                        "data digest mismatch: got 0x%08x, computed 0x%08x", got, expected)));
                return State.BHS;
            }
        }
        return pduDone(ctx, d);
    }

    private State pduDone(ChannelHandlerContext ctx, ByteBuf d) {
        byte[] a = ahs;
        ahs = null;
        IscsiPdu pdu = reuse ? current.reset(a, d) : new IscsiPdu(current.bhs().clone(), a, d);
        passOn(ctx, pdu);
        return State.BHS;
    }

    private void passOn(ChannelHandlerContext ctx, Object msg) {
        passedOn = true;
        ctx.fireChannelRead(msg);
    }

    private static int littleEndian(byte[] b) {
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    /** @return why the PDU cannot be accepted, or null */
    private String validate() {
        int op = current.opcode();
        int ahsLen = ahs == null ? 0 : ahs.length;
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
}
