package dev.ferry.frontend.iscsi.pdu;

/** SCSI Data-In (RFC 7143 11.7). */
public final class DataInPdu {
    /** 11.7.1 flags: F, A, O (residual overflow), U (underflow), S (status). */
    public static final int FLAG_FINAL = 0x80;
    public static final int FLAG_ACK = 0x40;
    public static final int FLAG_OVERFLOW = 0x04;
    public static final int FLAG_UNDERFLOW = 0x02;
    public static final int FLAG_STATUS = 0x01;
    public static final int OFFSET_STATUS = 3;          // 11.7.2
    public static final int OFFSET_TTT = 20;
    public static final int OFFSET_DATASN = 36;         // 11.7.5
    public static final int OFFSET_BUFFER_OFFSET = 40;  // 11.7.6
    public static final int OFFSET_RESIDUAL = 44;       // 11.7.7

    private final IscsiPdu pdu;

    public DataInPdu(IscsiPdu pdu) {
        this.pdu = pdu;
    }

    public static DataInPdu create() {
        DataInPdu d = new DataInPdu(IscsiPdu.create(Opcode.SCSI_DATA_IN));
        d.pdu.put32(OFFSET_TTT, IscsiPdu.RESERVED_TAG);
        return d;
    }

    public IscsiPdu pdu() { return pdu; }
    public boolean finalBit() { return (pdu.flags() & FLAG_FINAL) != 0; }
    public boolean hasStatus() { return (pdu.flags() & FLAG_STATUS) != 0; }
    public int status() { return pdu.u8(OFFSET_STATUS); }
    public int itt() { return pdu.itt(); }
    public int dataSn() { return pdu.u32(OFFSET_DATASN); }
    public int bufferOffset() { return pdu.u32(OFFSET_BUFFER_OFFSET); }
    public int residualCount() { return pdu.u32(OFFSET_RESIDUAL); }

    public DataInPdu flags(int f) { pdu.flags(f); return this; }
    public DataInPdu status(int s) { pdu.put8(OFFSET_STATUS, s); return this; }
    public DataInPdu itt(int v) { pdu.itt(v); return this; }
    public DataInPdu lun(long v) { pdu.lun(v); return this; }
    public DataInPdu dataSn(int v) { pdu.put32(OFFSET_DATASN, v); return this; }
    public DataInPdu bufferOffset(int v) { pdu.put32(OFFSET_BUFFER_OFFSET, v); return this; }
    public DataInPdu residualCount(int v) { pdu.put32(OFFSET_RESIDUAL, v); return this; }
}
