package dev.ferry.backend.ata;

import dev.ferry.backend.scsi.BigEndian;
import dev.ferry.backend.scsi.Sense;
import dev.ferry.core.request.CompletionStatus;

/**
 * The ATA registers a SATL returns after an ATA PASS-THROUGH command (SAT-3 12.2.2.6 / 12.2.2.7), in either sense
 * format, and their meaning for a request (ACS-3 6.2 STATUS and 6.3 ERROR fields).
 *
 * @param error  ERROR field
 * @param status STATUS field
 * @param device DEVICE field
 * @param count  COUNT (7:0, or 15:0 when the descriptor carries it)
 * @param lba    LBA (23:0 from fixed format, 47:0 from the descriptor)
 */
public record AtaStatus(int error, int status, int device, int count, long lba) {
    /** SPC-4 4.5.2: ATA Status Return sense data descriptor, SAT-3 table 164. */
    public static final int ATA_STATUS_RETURN_DESCRIPTOR = 0x09;
    /** ACS-3 6.2: STATUS bits. */
    public static final int STATUS_ERR = 0x01;
    public static final int STATUS_DF = 0x20;
    public static final int STATUS_BSY = 0x80;
    /** ACS-3 6.3: ERROR bits. */
    public static final int ERROR_ABRT = 0x04;
    public static final int ERROR_IDNF = 0x10;
    public static final int ERROR_UNC = 0x40;
    public static final int ERROR_ICRC = 0x80;

    /** The ATA registers from {@code sense}, or null when it carries none. */
    public static AtaStatus from(Sense sense) {
        if (sense == null) {
            return null;
        }
        byte[] s = sense.raw();
        if (sense.descriptorFormat()) {
            int at = sense.descriptor(ATA_STATUS_RETURN_DESCRIPTOR);
            return at < 0 || at + 14 > s.length ? null : descriptor(s, at);
        }
        return s.length >= 12 && (sense.responseCode() & 0x7e) == 0x70 && ataInformation(sense) ? fixed(s) : null;
    }

    /**
     * SAT-3 table 164: 0 code 09h; 1 length 0Ch; 2 EXTEND (bit 0); 3 ERROR; 4-5 COUNT (15:8, 7:0);
     * 6-11 LBA (31:24, 7:0, 39:32, 15:8, 47:40, 23:16); 12 DEVICE; 13 STATUS.
     */
    static AtaStatus descriptor(byte[] s, int at) {
        long lba = (s[at + 7] & 0xffL) | (s[at + 9] & 0xffL) << 8 | (s[at + 11] & 0xffL) << 16
                | (s[at + 6] & 0xffL) << 24 | (s[at + 8] & 0xffL) << 32 | (s[at + 10] & 0xffL) << 40;
        return new AtaStatus(s[at + 3] & 0xff, s[at + 13] & 0xff, s[at + 12] & 0xff, BigEndian.get16(s, at + 4), lba);
    }

    /**
     * SAT-3 12.2.2.7 fixed format: INFORMATION (bytes 3-6) = ERROR, STATUS, DEVICE, COUNT (7:0); COMMAND-SPECIFIC
     * INFORMATION (bytes 8-11) = EXTEND | COUNT UPPER NONZERO | LBA UPPER NONZERO | LOG INDEX, LBA (7:0, 15:8, 23:16).
     */
    static AtaStatus fixed(byte[] s) {
        long lba = (s[9] & 0xffL) | (s[10] & 0xffL) << 8 | (s[11] & 0xffL) << 16;
        return new AtaStatus(s[3] & 0xff, s[4] & 0xff, s[5] & 0xff, s[6] & 0xff, lba);
    }

    /**
     * A fixed-format sense carries ATA registers when it answers a pass-through: ASC/ASCQ 00h/1Dh (ATA PASS THROUGH
     * INFORMATION AVAILABLE), or an error whose valid INFORMATION field holds a STATUS byte with ERR or DF set.
     */
    private static boolean ataInformation(Sense sense) {
        byte[] s = sense.raw();
        return (sense.asc() == 0x00 && sense.ascq() == 0x1D)
                || ((s[0] & 0x80) != 0 && (s[4] & (STATUS_ERR | STATUS_DF)) != 0);
    }

    public boolean failed() {
        return (status & (STATUS_ERR | STATUS_DF)) != 0;
    }

    /** What the request completes with, per the registers: SAT-3 table 166 read the other way round. */
    public CompletionStatus toCompletion(boolean write) {
        if (!failed()) {
            return CompletionStatus.GOOD;
        }
        if ((status & STATUS_DF) != 0) {
            return CompletionStatus.INTERNAL_ERROR; // device fault: HARDWARE ERROR
        }
        if ((error & ERROR_ICRC) != 0) {
            return CompletionStatus.ABORTED; // interface CRC: the transfer, not the medium, failed; retry
        }
        if ((error & ERROR_UNC) != 0) {
            return write ? CompletionStatus.MEDIUM_ERROR_WRITE : CompletionStatus.MEDIUM_ERROR_READ;
        }
        if ((error & ERROR_IDNF) != 0) {
            return CompletionStatus.LBA_OUT_OF_RANGE;
        }
        if ((error & ERROR_ABRT) != 0) {
            return CompletionStatus.ABORTED;
        }
        return CompletionStatus.INTERNAL_ERROR;
    }
}
