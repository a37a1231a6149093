package dev.ferry.frontend.iscsi.pdu;

/** SCSI Response (RFC 7143 11.4). */
public final class ScsiResponsePdu {
    /** 11.4.1 flags: o/u bidirectional read residuals, O/U residual overflow/underflow. */
    public static final int FLAG_BIDI_OVERFLOW = 0x10;
    public static final int FLAG_BIDI_UNDERFLOW = 0x08;
    public static final int FLAG_OVERFLOW = 0x04;
    public static final int FLAG_UNDERFLOW = 0x02;
    /** 11.4.3 iSCSI Response codes. */
    public static final int RESPONSE_COMPLETED = 0x00;
    public static final int RESPONSE_TARGET_FAILURE = 0x01;
    public static final int OFFSET_RESPONSE = 2;
    public static final int OFFSET_STATUS = 3;           // 11.4.2
    public static final int OFFSET_EXP_DATASN = 36;      // 11.4.6
    public static final int OFFSET_BIDI_RESIDUAL = 40;   // 11.4.5
    public static final int OFFSET_RESIDUAL = 44;        // 11.4.5

    private final IscsiPdu pdu;

    public ScsiResponsePdu(IscsiPdu pdu) {
        this.pdu = pdu;
    }

    public static ScsiResponsePdu create() {
        ScsiResponsePdu r = new ScsiResponsePdu(IscsiPdu.create(Opcode.SCSI_RESPONSE));
        r.pdu.flags(0x80);
        return r;
    }

    public IscsiPdu pdu() { return pdu; }
    public int response() { return pdu.u8(OFFSET_RESPONSE); }
    public int status() { return pdu.u8(OFFSET_STATUS); }
    public int residualCount() { return pdu.u32(OFFSET_RESIDUAL); }
    public boolean underflow() { return (pdu.flags() & FLAG_UNDERFLOW) != 0; }
    public boolean overflow() { return (pdu.flags() & FLAG_OVERFLOW) != 0; }

    public ScsiResponsePdu residualFlags(int f) { pdu.flags(0x80 | f); return this; }
    public ScsiResponsePdu response(int v) { pdu.put8(OFFSET_RESPONSE, v); return this; }
    public ScsiResponsePdu status(int v) { pdu.put8(OFFSET_STATUS, v); return this; }
    public ScsiResponsePdu itt(int v) { pdu.itt(v); return this; }
    public ScsiResponsePdu expDataSn(int v) { pdu.put32(OFFSET_EXP_DATASN, v); return this; }
    public ScsiResponsePdu residualCount(int v) { pdu.put32(OFFSET_RESIDUAL, v); return this; }
}
