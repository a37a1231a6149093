package dev.ferry.frontend.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCounted;

/**
 * One iSCSI PDU (RFC 7143 11.2): the 48-byte Basic Header Segment, optional Additional Header Segments and the
 * data segment (without padding or digests, which the codec adds and strips). The typed classes of this package
 * read and build the opcode-specific fields; this class only knows the layout common to every PDU.
 *
 * <p>The PDU owns its data buffer: whoever consumes it calls {@link #release()} (the encoder does for outgoing).
 */
public final class IscsiPdu implements ReferenceCounted {
    /** RFC 7143 11.2.1: the Basic Header Segment is 48 bytes. */
    public static final int BHS_LENGTH = 48;

    /** Bytes of zero padding after a data segment of this length (11.2.3: segments end on a 4-byte boundary). */
    public static int padding(int length) {
        return (4 - (length & 3)) & 3;
    }
    /** RFC 7143 11.2.1: a reserved / unassigned tag. */
    public static final int RESERVED_TAG = 0xffffffff;
    /** Largest DataSegmentLength the 24-bit field can hold. */
    public static final int MAX_DATA_SEGMENT_LENGTH = (1 << 24) - 1;

    private static final int IMMEDIATE_BIT = 0x40;
    private static final int FINAL_BIT = 0x80;

    private final byte[] bhs;
    private byte[] ahs;
    private ByteBuf data;

    public IscsiPdu(byte[] bhs, byte[] ahs, ByteBuf data) {
        if (bhs.length != BHS_LENGTH) {
            throw new IllegalArgumentException("BHS must be 48 bytes");
        }
        this.bhs = bhs;
        this.ahs = ahs == null || ahs.length == 0 ? null : ahs;
        this.data = data == null ? Unpooled.EMPTY_BUFFER : data;
    }

    /** A new outgoing PDU with the opcode set and everything else zero. */
    public static IscsiPdu create(int opcode) {
        IscsiPdu p = new IscsiPdu(new byte[BHS_LENGTH], null, null);
        p.bhs[0] = (byte) (opcode & 0x3f);
        return p;
    }

    /**
     * Makes this PDU the next one with the same header array (the decoder's reused PDU): takes {@code ahs} and
     * {@code data} without releasing the previous data, which its consumer owned.
     */
    IscsiPdu reset(byte[] ahs, ByteBuf data) {
        this.ahs = ahs;
        this.data = data == null ? Unpooled.EMPTY_BUFFER : data;
        return this;
    }

    /** A PDU of its own with this header and this data (now owned by the copy), to keep past a reused PDU. */
    public IscsiPdu detach() {
        IscsiPdu p = new IscsiPdu(bhs.clone(), ahs, data);
        this.data = Unpooled.EMPTY_BUFFER;
        return p;
    }

    public byte[] bhs() { return bhs; }
    /** The AHS bytes (a multiple of 4), or null. */
    public byte[] ahs() { return ahs; }
    public ByteBuf data() { return data; }

    public int opcode() { return bhs[0] & 0x3f; }
    public boolean immediate() { return (bhs[0] & IMMEDIATE_BIT) != 0; }
    public IscsiPdu immediate(boolean on) { bhs[0] = (byte) (on ? bhs[0] | IMMEDIATE_BIT : bhs[0] & ~IMMEDIATE_BIT); return this; }
    /** Byte 1: the opcode-specific flags (F bit and more). */
    public int flags() { return bhs[1] & 0xff; }
    public IscsiPdu flags(int f) { bhs[1] = (byte) f; return this; }
    public boolean finalBit() { return (bhs[1] & FINAL_BIT) != 0; }
    public int dataSegmentLength() { return u24(5); }
    public long lun() { return u64(8); }
    public IscsiPdu lun(long v) { put64(8, v); return this; }
    public int itt() { return u32(16); }
    public IscsiPdu itt(int v) { put32(16, v); return this; }

    /** Replaces the data segment (the PDU now owns {@code d}) and sets DataSegmentLength. */
    public IscsiPdu data(ByteBuf d) {
        if (data != d) {
            data.release();
        }
        this.data = d == null ? Unpooled.EMPTY_BUFFER : d;
        int len = data.readableBytes();
        if (len > MAX_DATA_SEGMENT_LENGTH) {
            throw new IllegalArgumentException("data segment too long: " + len);
        }
        bhs[5] = (byte) (len >>> 16);
        bhs[6] = (byte) (len >>> 8);
        bhs[7] = (byte) len;
        return this;
    }

    public IscsiPdu ahs(byte[] a) {
        if (a != null && (a.length % 4 != 0 || a.length > 255 * 4)) {
            throw new IllegalArgumentException("AHS length " + a.length);
        }
        this.ahs = a == null || a.length == 0 ? null : a;
        bhs[4] = (byte) (ahs == null ? 0 : ahs.length / 4);
        return this;
    }

    public int u8(int off) { return bhs[off] & 0xff; }
    public int u16(int off) { return ((bhs[off] & 0xff) << 8) | (bhs[off + 1] & 0xff); }
    public int u24(int off) { return ((bhs[off] & 0xff) << 16) | ((bhs[off + 1] & 0xff) << 8) | (bhs[off + 2] & 0xff); }
    public int u32(int off) {
        return ((bhs[off] & 0xff) << 24) | ((bhs[off + 1] & 0xff) << 16) | ((bhs[off + 2] & 0xff) << 8) | (bhs[off + 3] & 0xff);
    }
    public long u48(int off) { return ((long) u16(off) << 32) | (u32(off + 2) & 0xffffffffL); }
    public long u64(int off) { return ((long) u32(off) << 32) | (u32(off + 4) & 0xffffffffL); }

    public IscsiPdu put8(int off, int v) { bhs[off] = (byte) v; return this; }
    public IscsiPdu put16(int off, int v) { bhs[off] = (byte) (v >>> 8); bhs[off + 1] = (byte) v; return this; }
    public IscsiPdu put32(int off, int v) {
        bhs[off] = (byte) (v >>> 24);
        bhs[off + 1] = (byte) (v >>> 16);
        bhs[off + 2] = (byte) (v >>> 8);
        bhs[off + 3] = (byte) v;
        return this;
    }
    public IscsiPdu put48(int off, long v) { put16(off, (int) (v >>> 32)); return put32(off + 2, (int) v); }
    public IscsiPdu put64(int off, long v) { put32(off, (int) (v >>> 32)); return put32(off + 4, (int) v); }

    @Override public int refCnt() { return data.refCnt(); }
    @Override public IscsiPdu retain() { data.retain(); return this; }
    @Override public IscsiPdu retain(int n) { data.retain(n); return this; }
    @Override public IscsiPdu touch() { data.touch(); return this; }
    @Override public IscsiPdu touch(Object hint) { data.touch(hint); return this; }
    @Override public boolean release() { return data.release(); }
    @Override public boolean release(int n) { return data.release(n); }

    @Override
    public String toString() {
        return Opcode.name(opcode()) + "{itt=0x" + Integer.toHexString(itt()) + ", flags=0x" + Integer.toHexString(flags())
                + ", dsl=" + dataSegmentLength() + (immediate() ? ", I" : "") + "}";
    }
}
