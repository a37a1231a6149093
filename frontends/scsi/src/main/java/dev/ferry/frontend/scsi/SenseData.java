package dev.ferry.frontend.scsi;

/**
 * Fixed-format sense data (SPC-4 4.5.3, response code 70h, current errors) and the sense keys and additional sense
 * codes this command set reports. Immutable; {@link #encode()} renders the 18 bytes.
 *
 * <pre>
 * Byte 0      VALID(7) | RESPONSE CODE (70h)
 * Byte 1      obsolete
 * Byte 2      FILEMARK(7) EOM(6) ILI(5) reserved(4) | SENSE KEY(3-0)
 * Bytes 3-6   INFORMATION
 * Byte 7      ADDITIONAL SENSE LENGTH (n-7 = 10)
 * Bytes 8-11  COMMAND-SPECIFIC INFORMATION
 * Byte 12     ADDITIONAL SENSE CODE
 * Byte 13     ADDITIONAL SENSE CODE QUALIFIER
 * Byte 14     FIELD REPLACEABLE UNIT CODE
 * Bytes 15-17 SKSV(7) | SENSE KEY SPECIFIC
 * </pre>
 *
 * @param key           sense key (SPC-4 4.5.6)
 * @param asc           additional sense code
 * @param ascq          additional sense code qualifier
 * @param information   INFORMATION field, or -1 when not valid (VALID bit clear)
 * @param fieldPointer  sense-key-specific field pointer (SPC-4 4.5.2.4.2) byte, or -1 when SKSV is clear
 * @param bitPointer    bit pointer 0-7, or -1 when BPV is clear
 * @param inCdb         C/D bit: the field pointer refers to the CDB (true) or the parameter list (false)
 */
public record SenseData(int key, int asc, int ascq, long information, int fieldPointer, int bitPointer,
                        boolean inCdb) {

    public static final int LENGTH = 18;
    public static final int RESPONSE_CODE_CURRENT_FIXED = 0x70;
    /** The largest value the 4-byte INFORMATION field of fixed-format sense data holds. */
    static final long MAX_FIXED_INFORMATION = 0xFFFFFFFFL;

    // SPC-4 4.5.6: sense keys
    public static final int NO_SENSE = 0x0;
    public static final int NOT_READY = 0x2;
    public static final int MEDIUM_ERROR = 0x3;
    public static final int HARDWARE_ERROR = 0x4;
    public static final int ILLEGAL_REQUEST = 0x5;
    public static final int UNIT_ATTENTION = 0x6;
    public static final int DATA_PROTECT = 0x7;
    public static final int COPY_ABORTED = 0xA;
    public static final int ABORTED_COMMAND = 0xB;
    public static final int MISCOMPARE = 0xE;

    /** The sense data of "nothing to report" (REQUEST SENSE with no pending condition). */
    public static final SenseData NO_SENSE_DATA = of(NO_SENSE, 0x00, 0x00);

    public static SenseData of(int key, int asc, int ascq) {
        return new SenseData(key, asc, ascq, -1, -1, -1, false);
    }

    /** The same condition without a sense-key-specific field pointer. */
    public SenseData withoutPointer() {
        return new SenseData(key, asc, ascq, information, -1, -1, false);
    }

    public SenseData withInformation(long info) {
        return new SenseData(key, asc, ascq, info, fieldPointer, bitPointer, inCdb);
    }

    /**
     * The same condition with INFORMATION = {@code lba}, the first block in error (SBC-4 4.18, error reporting).
     * Fixed format has 4 bytes for it: an unknown (negative) LBA or one above 2^32-1 leaves VALID clear rather
     * than {@link #encode()} clamping it into a wrong block number.
     */
    public SenseData atLba(long lba) {
        return lba < 0 || lba > MAX_FIXED_INFORMATION ? this : withInformation(lba);
    }

    // ---- the conditions (SPC-4 Annex D, ASC/ASCQ assignments) ----

    /** 04h/00h LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE. */
    public static SenseData notReady() { return of(NOT_READY, 0x04, 0x00); }

    /** 11h/00h UNRECOVERED READ ERROR. */
    public static SenseData unrecoveredReadError() { return of(MEDIUM_ERROR, 0x11, 0x00); }

    /** 0Ch/00h WRITE ERROR. */
    public static SenseData writeError() { return of(MEDIUM_ERROR, 0x0C, 0x00); }

    /** 44h/00h INTERNAL TARGET FAILURE. */
    public static SenseData internalTargetFailure() { return of(HARDWARE_ERROR, 0x44, 0x00); }

    /** 1Ah/00h PARAMETER LIST LENGTH ERROR. */
    public static SenseData parameterListLengthError() { return of(ILLEGAL_REQUEST, 0x1A, 0x00); }

    /** 20h/00h INVALID COMMAND OPERATION CODE. */
    public static SenseData invalidOpcode() { return of(ILLEGAL_REQUEST, 0x20, 0x00); }

    /** 20h/00h INVALID COMMAND OPERATION CODE with a field pointer (the SERVICE ACTION field: byte 1, bit 4). */
    public static SenseData invalidOpcode(int byteNumber, int bit) {
        return new SenseData(ILLEGAL_REQUEST, 0x20, 0x00, -1, byteNumber, bit, true);
    }

    /** 21h/00h LOGICAL BLOCK ADDRESS OUT OF RANGE. */
    public static SenseData lbaOutOfRange() { return of(ILLEGAL_REQUEST, 0x21, 0x00); }

    /** 24h/00h INVALID FIELD IN CDB, pointing at {@code byteNumber} (and {@code bit}, or -1 for the whole byte). */
    public static SenseData invalidFieldInCdb(int byteNumber, int bit) {
        return new SenseData(ILLEGAL_REQUEST, 0x24, 0x00, -1, byteNumber, bit, true);
    }

    /** 25h/00h LOGICAL UNIT NOT SUPPORTED. */
    public static SenseData logicalUnitNotSupported() { return of(ILLEGAL_REQUEST, 0x25, 0x00); }

    /** 26h/00h INVALID FIELD IN PARAMETER LIST, pointing into the parameter list. */
    public static SenseData invalidFieldInParameterList(int byteNumber, int bit) {
        return new SenseData(ILLEGAL_REQUEST, 0x26, 0x00, -1, byteNumber, bit, false);
    }

    /** 26h/06h TOO MANY TARGET DESCRIPTORS (EXTENDED COPY: more CSCD descriptors than advertised). */
    public static SenseData tooManyCscdDescriptors() { return of(ILLEGAL_REQUEST, 0x26, 0x06); }

    /** 26h/07h UNSUPPORTED TARGET DESCRIPTOR TYPE CODE, pointing at the descriptor's type code. */
    public static SenseData unsupportedCscdDescriptorType(int byteNumber) {
        return new SenseData(ILLEGAL_REQUEST, 0x26, 0x07, -1, byteNumber, -1, false);
    }

    /** 26h/08h TOO MANY SEGMENT DESCRIPTORS. */
    public static SenseData tooManySegmentDescriptors() { return of(ILLEGAL_REQUEST, 0x26, 0x08); }

    /** 26h/09h UNSUPPORTED SEGMENT DESCRIPTOR TYPE CODE, pointing at the descriptor's type code. */
    public static SenseData unsupportedSegmentDescriptorType(int byteNumber) {
        return new SenseData(ILLEGAL_REQUEST, 0x26, 0x09, -1, byteNumber, -1, false);
    }

    /** 0Dh/02h COPY TARGET DEVICE NOT REACHABLE (sense key COPY ABORTED). */
    public static SenseData copyTargetDeviceNotReachable() { return of(COPY_ABORTED, 0x0D, 0x02); }

    /** 00h/16h OPERATION IN PROGRESS: an EXTENDED COPY with this list identifier still runs (SPC-4 6.4.3). */
    public static SenseData operationInProgress() { return of(ILLEGAL_REQUEST, 0x00, 0x16); }

    /** 26h/04h INVALID RELEASE OF PERSISTENT RESERVATION (PR OUT RELEASE with another TYPE, SPC-4 5.13.11.2). */
    public static SenseData invalidReleaseOfPersistentReservation() { return of(ILLEGAL_REQUEST, 0x26, 0x04); }

    /** SPC-4 5.13.7: a registration the logical unit has no room for. */
    public static SenseData insufficientRegistrationResources() { return of(ILLEGAL_REQUEST, 0x55, 0x04); }

    /** 0Eh/03h INVALID FIELD IN COMMAND INFORMATION UNIT (SPC-4; EDTL does not fit the CDB's transfer). */
    public static SenseData invalidFieldInCommandIu() { return of(ILLEGAL_REQUEST, 0x0E, 0x03); }

    /** 39h/00h SAVING PARAMETERS NOT SUPPORTED. */
    public static SenseData savingParametersNotSupported() { return of(ILLEGAL_REQUEST, 0x39, 0x00); }

    /** 27h/00h WRITE PROTECTED. */
    public static SenseData writeProtected() { return of(DATA_PROTECT, 0x27, 0x00); }

    /** 27h/07h SPACE ALLOCATION FAILED WRITE PROTECT (SBC-3 4.7.3.6). */
    public static SenseData spaceAllocationFailed() { return of(DATA_PROTECT, 0x27, 0x07); }

    /** 1Dh/00h MISCOMPARE DURING VERIFY OPERATION, INFORMATION = offset of the first differing byte. */
    public static SenseData miscompare(long offset) {
        return new SenseData(MISCOMPARE, 0x1D, 0x00, offset, -1, -1, false);
    }

    /** Renders the 18 bytes of fixed-format sense data. */
    public byte[] encode() {
        byte[] b = new byte[LENGTH];
        boolean valid = information >= 0;
        b[0] = (byte) ((valid ? 0x80 : 0) | RESPONSE_CODE_CURRENT_FIXED);
        b[2] = (byte) (key & 0x0F);
        if (valid) {
            // INFORMATION is 4 bytes in fixed format; larger values cannot be reported (SPC-4 4.5.3)
            long v = information > 0xFFFFFFFFL ? 0xFFFFFFFFL : information;
            b[3] = (byte) (v >>> 24);
            b[4] = (byte) (v >>> 16);
            b[5] = (byte) (v >>> 8);
            b[6] = (byte) v;
        }
        b[7] = (byte) (LENGTH - 8);
        b[12] = (byte) asc;
        b[13] = (byte) ascq;
        if (fieldPointer >= 0) {
            // SPC-4 4.5.2.4.2: SKSV(7) C/D(6) reserved BPV(3) BIT POINTER(2-0); FIELD POINTER bytes 16-17
            int b15 = 0x80 | (inCdb ? 0x40 : 0);
            if (bitPointer >= 0) {
                b15 |= 0x08 | (bitPointer & 0x07);
            }
            b[15] = (byte) b15;
            b[16] = (byte) (fieldPointer >>> 8);
            b[17] = (byte) fieldPointer;
        }
        return b;
    }
}
