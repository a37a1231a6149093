package dev.ferry.frontend.iscsi.pdu;

/** SCSI Data-Out (RFC 7143 11.7). */
public final class DataOutPdu {
    public static final int FLAG_FINAL = 0x80;
    public static final int OFFSET_TTT = 20;           // 11.7.4
    public static final int OFFSET_EXP_STATSN = 28;
    public static final int OFFSET_DATASN = 36;        // 11.7.5
    public static final int OFFSET_BUFFER_OFFSET = 40; // 11.7.6

    private final IscsiPdu pdu;

    public DataOutPdu(IscsiPdu pdu) {
        this.pdu = pdu;
    }

    public static DataOutPdu create() {
        return new DataOutPdu(IscsiPdu.create(Opcode.SCSI_DATA_OUT));
    }

    public IscsiPdu pdu() { return pdu; }
    public boolean finalBit() { return pdu.finalBit(); }
    public int itt() { return pdu.itt(); }
    public int ttt() { return ttt(pdu); }
    public int dataSn() { return dataSn(pdu); }
    public int bufferOffset() { return bufferOffset(pdu); }

    public static int ttt(IscsiPdu p) { return p.u32(OFFSET_TTT); }
    public static int dataSn(IscsiPdu p) { return p.u32(OFFSET_DATASN); }
    public static int bufferOffset(IscsiPdu p) { return p.u32(OFFSET_BUFFER_OFFSET); }

    public DataOutPdu finalBit(boolean f) { pdu.flags(f ? FLAG_FINAL : 0); return this; }
    public DataOutPdu itt(int v) { pdu.itt(v); return this; }
    public DataOutPdu lun(long v) { pdu.lun(v); return this; }
    public DataOutPdu ttt(int v) { pdu.put32(OFFSET_TTT, v); return this; }
    public DataOutPdu expStatSn(int v) { pdu.put32(OFFSET_EXP_STATSN, v); return this; }
    public DataOutPdu dataSn(int v) { pdu.put32(OFFSET_DATASN, v); return this; }
    public DataOutPdu bufferOffset(int v) { pdu.put32(OFFSET_BUFFER_OFFSET, v); return this; }
}
