package dev.ferry.frontend.iscsi.pdu;

/** SCSI Command (RFC 7143 11.3). */
public final class ScsiCommandPdu {
    /** 11.3.1: F, R, W flags and ATTR. */
    public static final int FLAG_FINAL = 0x80;
    public static final int FLAG_READ = 0x40;
    public static final int FLAG_WRITE = 0x20;
    public static final int ATTR_MASK = 0x07;
    /** 11.2.1.2 AHS types: Extended CDB (11.3.5 is 16 + more bytes), Bidirectional Read Expected Data Transfer Length. */
    public static final int AHS_EXTENDED_CDB = 1;
    public static final int AHS_BIDI_READ_LENGTH = 2;
    public static final int OFFSET_EXPECTED_LENGTH = 20; // 11.3.6
    public static final int OFFSET_CMDSN = 24;
    public static final int OFFSET_EXP_STATSN = 28;
    public static final int OFFSET_CDB = 32;             // 11.3.5
    public static final int CDB_LENGTH = 16;

    private final IscsiPdu pdu;

    public ScsiCommandPdu(IscsiPdu pdu) {
        this.pdu = pdu;
    }

    public static ScsiCommandPdu create() {
        return new ScsiCommandPdu(IscsiPdu.create(Opcode.SCSI_COMMAND));
    }

    public IscsiPdu pdu() { return pdu; }
    public boolean finalBit() { return (pdu.flags() & FLAG_FINAL) != 0; }
    public boolean read() { return (pdu.flags() & FLAG_READ) != 0; }
    public boolean write() { return (pdu.flags() & FLAG_WRITE) != 0; }
    public int attribute() { return pdu.flags() & ATTR_MASK; }
    public int itt() { return pdu.itt(); }
    public long lun() { return pdu.lun(); }
    public int expectedDataTransferLength() { return pdu.u32(OFFSET_EXPECTED_LENGTH); }
    public int cmdSn() { return pdu.u32(OFFSET_CMDSN); }
    public int expStatSn() { return pdu.u32(OFFSET_EXP_STATSN); }

    /** The CDB (see {@link #cdbLength}), or null when the AHS is malformed. */
    public byte[] cdb() {
        int n = cdbLength(pdu);
        if (n < 0) {
            return null;
        }
        byte[] cdb = new byte[n];
        cdb(pdu, cdb);
        return cdb;
    }

    /**
     * The length of the CDB: the 16 bytes of the BHS followed by the Extended CDB AHS if present (11.2.1.3, 11.3.5).
     *
     * @return the length, or -1 when the AHS is malformed
     */
    public static int cdbLength(IscsiPdu p) {
        byte[] ahs = p.ahs();
        int length = CDB_LENGTH;
        int at = 0;
        while (ahs != null && at + 4 <= ahs.length) {
            // 11.2.2: AHSLength counts the bytes after AHSType (the AHS-specific byte included), padding excluded.
            int len = ((ahs[at] & 0xff) << 8) | (ahs[at + 1] & 0xff);
            int type = ahs[at + 2] & 0x3f;
            int size = (3 + len + 3) & ~3;
            if (len < 1 || at + size > ahs.length) {
                return -1;
            }
            if (type == AHS_EXTENDED_CDB) {
                length = CDB_LENGTH + len - 1;
            } else if (type != AHS_BIDI_READ_LENGTH) {
                return -1;
            }
            at += size;
        }
        return length;
    }

    /** Copies the CDB into {@code into}, which is {@link #cdbLength} long (the last Extended CDB AHS counts). */
    public static void cdb(IscsiPdu p, byte[] into) {
        System.arraycopy(p.bhs(), OFFSET_CDB, into, 0, CDB_LENGTH);
        byte[] ahs = p.ahs();
        int at = 0;
        while (ahs != null && at + 4 <= ahs.length) {
            int len = ((ahs[at] & 0xff) << 8) | (ahs[at + 1] & 0xff);
            if ((ahs[at + 2] & 0x3f) == AHS_EXTENDED_CDB && len - 1 == into.length - CDB_LENGTH) {
                System.arraycopy(ahs, at + 4, into, CDB_LENGTH, len - 1);
            }
            at += (3 + len + 3) & ~3;
        }
    }

    public ScsiCommandPdu flags(boolean fin, boolean read, boolean write, int attr) {
        pdu.flags((fin ? FLAG_FINAL : 0) | (read ? FLAG_READ : 0) | (write ? FLAG_WRITE : 0) | (attr & ATTR_MASK));
        return this;
    }
    public ScsiCommandPdu itt(int v) { pdu.itt(v); return this; }
    public ScsiCommandPdu lun(long v) { pdu.lun(v); return this; }
    public ScsiCommandPdu expectedDataTransferLength(int v) { pdu.put32(OFFSET_EXPECTED_LENGTH, v); return this; }
    public ScsiCommandPdu cmdSn(int v) { pdu.put32(OFFSET_CMDSN, v); return this; }
    public ScsiCommandPdu expStatSn(int v) { pdu.put32(OFFSET_EXP_STATSN, v); return this; }
    public ScsiCommandPdu cdb(byte[] cdb) {
        System.arraycopy(cdb, 0, pdu.bhs(), OFFSET_CDB, Math.min(CDB_LENGTH, cdb.length));
        return this;
    }
}
