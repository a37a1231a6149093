package dev.ferry.frontend.scsi;

import dev.ferry.core.unit.copy.CopyJob;

/**
 * SPC-4 6.26 RECEIVE COPY RESULTS (84h) for EXTENDED COPY (LID1): COPY STATUS (00h), OPERATING PARAMETERS (03h) and
 * FAILED SEGMENT DETAILS (04h). RECEIVE DATA (01h) is not implemented: no segment type that holds data is.
 *
 * <pre>
 * CDB: byte 1 SERVICE ACTION | byte 2 LIST IDENTIFIER | bytes 10-13 ALLOCATION LENGTH
 * </pre>
 * A list identifier this I_T nexus has no copy under (never used, not held, or its details already transferred)
 * is INVALID FIELD IN CDB at byte 2, as libiscsi's CopyStatus test expects.
 */
final class ReceiveCopyResults {
    static final int COPY_STATUS = 0x00;
    static final int OPERATING_PARAMETERS = 0x03;
    static final int FAILED_SEGMENT_DETAILS = 0x04;

    // COPY MANAGER STATUS (SPC-4 6.26.2)
    static final int IN_PROGRESS = 0x00;
    static final int COMPLETED = 0x01;
    static final int COMPLETED_WITH_ERRORS = 0x02;
    // TRANSFER COUNT UNITS
    static final int UNITS_BYTES = 0x00;
    static final int UNITS_KIB = 0x01;

    private ReceiveCopyResults() {
    }

    static void copyStatus(ScsiCommand c) {
        CopyManager.Copy copy = copy(c);
        answer(c, copyStatus(copy));
    }

    static void operatingParameters(ScsiCommand c) {
        answer(c, operatingParameters(c.lu.blockSize()));
    }

    static void failedSegmentDetails(ScsiCommand c) {
        CopyManager.Copy copy = copy(c);
        byte[] data = failedSegmentDetails(copy);
        if (copy.finished && copy.failedSense != null) {
            c.target.copies().discard(c.nexus, Cdb.u8(c.cdb, 2), copy); // SPC-4 6.26.5: discarded once transferred
        }
        answer(c, data);
    }

    private static CopyManager.Copy copy(ScsiCommand c) {
        CopyManager.Copy copy = c.target.copies().get(c.nexus, Cdb.u8(c.cdb, 2));
        if (copy == null) {
            throw CheckCondition.invalidFieldInCdb(2, -1);
        }
        return copy;
    }

    private static void answer(ScsiCommand c, byte[] data) {
        c.dataIn(data, (int) Math.min(Cdb.u32(c.cdb, 10), data.length));
    }

    /**
     * SPC-4 6.26.2:
     * <pre>
     * Bytes 0-3  AVAILABLE DATA (8)
     * Byte 4     HDD(7) = 0 | COPY MANAGER STATUS(6-0)
     * Bytes 5-6  SEGMENTS PROCESSED
     * Byte 7     TRANSFER COUNT UNITS: 00h bytes, or 01h KiB when the bytes do not fit 32 bits
     * Bytes 8-11 TRANSFER COUNT
     * </pre>
     */
    static byte[] copyStatus(CopyManager.Copy copy) {
        byte[] d = new byte[12];
        Cdb.put32(d, 0, 8);
        CopyJob job = copy.job;
        long bytes = job == null ? 0 : job.bytesCopied();
        if (!copy.finished) {
            d[4] = IN_PROGRESS;
        } else {
            d[4] = (byte) (copy.failedSense == null ? COMPLETED : COMPLETED_WITH_ERRORS);
        }
        int segments = copy.finished && copy.failedSense == null ? copy.segments : job == null ? 0 : job.rangesDone();
        Cdb.put16(d, 5, segments);
        if (bytes <= 0xFFFFFFFFL) {
            d[7] = UNITS_BYTES;
            Cdb.put32(d, 8, bytes);
        } else {
            d[7] = UNITS_KIB;
            Cdb.put32(d, 8, bytes >>> 10);
        }
        return d;
    }

    /**
     * SPC-4 6.26.4:
     * <pre>
     * Bytes 0-3   AVAILABLE DATA (n-3)
     * Byte 4      SNLID(0) = 1: LIST ID USAGE 11b (no list identifier) is supported
     * Bytes 8-9   MAXIMUM CSCD DESCRIPTOR COUNT
     * Bytes 10-11 MAXIMUM SEGMENT DESCRIPTOR COUNT
     * Bytes 12-15 MAXIMUM DESCRIPTOR LIST LENGTH
     * Bytes 16-19 MAXIMUM SEGMENT LENGTH (bytes: 65,535 blocks of this unit)
     * Bytes 20-23 MAXIMUM INLINE DATA LENGTH (0)
     * Bytes 24-27 HELD DATA LIMIT (0)
     * Bytes 28-31 MAXIMUM STREAM DEVICE TRANSFER SIZE (0)
     * Bytes 34-35 TOTAL CONCURRENT COPIES
     * Byte 36     MAXIMUM CONCURRENT COPIES
     * Bytes 37-39 DATA SEGMENT / INLINE DATA / HELD DATA GRANULARITY (log2; 0)
     * Byte 43     IMPLEMENTED DESCRIPTOR LIST LENGTH (n-43)
     * Bytes 44-n  the implemented descriptor type codes, ascending: 02h, E4h
     * </pre>
     */
    static byte[] operatingParameters(int blockSize) {
        int[] implemented = {ExtendedCopyParameters.TYPE_BLOCK_TO_BLOCK, ExtendedCopyParameters.TYPE_IDENTIFICATION};
        byte[] d = new byte[44 + implemented.length];
        Cdb.put32(d, 0, d.length - 4);
        d[4] = 0x01;
        Cdb.put16(d, 8, ExtendedCopyParameters.MAX_CSCD_DESCRIPTORS);
        Cdb.put16(d, 10, ExtendedCopyParameters.MAX_SEGMENT_DESCRIPTORS);
        Cdb.put32(d, 12, ExtendedCopyParameters.MAX_DESCRIPTOR_LIST_LENGTH);
        Cdb.put32(d, 16, (long) ExtendedCopyParameters.MAX_SEGMENT_BLOCKS * blockSize);
        Cdb.put32(d, 20, ExtendedCopyParameters.MAX_INLINE_DATA_LENGTH);
        Cdb.put16(d, 34, CopyManager.MAX_CONCURRENT_COPIES);
        d[36] = (byte) CopyManager.MAX_CONCURRENT_COPIES;
        d[43] = (byte) implemented.length;
        for (int i = 0; i < implemented.length; i++) {
            d[44 + i] = (byte) implemented[i];
        }
        return d;
    }

    /**
     * SPC-4 6.26.5: for a copy that completed with errors
     * <pre>
     * Bytes 0-3   AVAILABLE DATA (n-3)
     * Byte 60     EXTENDED COPY COMMAND STATUS (02h CHECK CONDITION)
     * Bytes 62-63 SENSE DATA LENGTH
     * Bytes 64-n  SENSE DATA (what the EXTENDED COPY command returned)
     * </pre>
     * While the copy runs, or when it succeeded, AVAILABLE DATA is 0 and nothing follows.
     */
    static byte[] failedSegmentDetails(CopyManager.Copy copy) {
        byte[] sense = copy.failedSense;
        if (!copy.finished || sense == null) {
            return new byte[4];
        }
        byte[] d = new byte[64 + sense.length];
        Cdb.put32(d, 0, d.length - 4);
        d[60] = (byte) ScsiResponse.CHECK_CONDITION;
        Cdb.put16(d, 62, sense.length);
        System.arraycopy(sense, 0, d, 64, sense.length);
        return d;
    }
}
