package dev.ferry.frontend.iscsi.pdu;

/** Ready To Transfer (RFC 7143 11.8). */
public final class R2tPdu {
    public static final int OFFSET_TTT = 20;
    public static final int OFFSET_R2TSN = 36;             // 11.8.2
    public static final int OFFSET_BUFFER_OFFSET = 40;     // 11.8.3
    public static final int OFFSET_DESIRED_LENGTH = 44;    // 11.8.4

    private final IscsiPdu pdu;

    public R2tPdu(IscsiPdu pdu) {
        this.pdu = pdu;
    }

    public static R2tPdu create() {
        R2tPdu r = new R2tPdu(IscsiPdu.create(Opcode.R2T));
        r.pdu.flags(0x80);
        return r;
    }

    public IscsiPdu pdu() { return pdu; }
    public int itt() { return pdu.itt(); }
    public int ttt() { return pdu.u32(OFFSET_TTT); }
    public int r2tSn() { return pdu.u32(OFFSET_R2TSN); }
    public int bufferOffset() { return pdu.u32(OFFSET_BUFFER_OFFSET); }
    public int desiredLength() { return pdu.u32(OFFSET_DESIRED_LENGTH); }

    public R2tPdu itt(int v) { pdu.itt(v); return this; }
    public R2tPdu lun(long v) { pdu.lun(v); return this; }
    public R2tPdu ttt(int v) { pdu.put32(OFFSET_TTT, v); return this; }
    public R2tPdu r2tSn(int v) { pdu.put32(OFFSET_R2TSN, v); return this; }
    public R2tPdu bufferOffset(int v) { pdu.put32(OFFSET_BUFFER_OFFSET, v); return this; }
    public R2tPdu desiredLength(int v) { pdu.put32(OFFSET_DESIRED_LENGTH, v); return this; }
}
