package dev.ferry.frontend.scsi;

import java.util.ArrayList;
import java.util.List;

/**
 * The parameter list of EXTENDED COPY (LID1) (SPC-4 6.4, SPC-3 6.3), decoded and checked before anything is copied.
 *
 * <pre>
 * Header (16 bytes):
 * Byte 0      LIST IDENTIFIER
 * Byte 1      reserved(7-6) | STR(5) | LIST ID USAGE(4-3) | PRIORITY(2-0)
 * Bytes 2-3   CSCD DESCRIPTOR LIST LENGTH
 * Bytes 4-7   reserved
 * Bytes 8-11  SEGMENT DESCRIPTOR LIST LENGTH
 * Bytes 12-15 INLINE DATA LENGTH
 * then the CSCD descriptors, the segment descriptors, the inline data.
 *
 * Identification descriptor CSCD descriptor (E4h, 32 bytes, SPC-4 6.4.5.4):
 * Byte 0      DESCRIPTOR TYPE CODE (E4h)
 * Byte 1      LU ID TYPE(7-6) | NUL(5) | PERIPHERAL DEVICE TYPE(4-0)
 * Bytes 2-3   RELATIVE INITIATOR PORT IDENTIFIER
 * Bytes 4-23  DESIGNATION DESCRIPTOR (4-byte header as in the Device Identification VPD page, designator of at
 *             most 16 bytes)
 * Bytes 24-31 DEVICE TYPE SPECIFIC PARAMETERS; block devices (SPC-4 6.4.5.5): byte 28 PAD(2), bytes 29-31
 *             DISK BLOCK LENGTH
 *
 * Block device to block device segment descriptor (02h, 28 bytes, SPC-4 6.4.6.5):
 * Byte 0      DESCRIPTOR TYPE CODE (02h)
 * Byte 1      reserved(7-2) | DC(1) | CAT(0)
 * Bytes 2-3   DESCRIPTOR LENGTH (0018h)
 * Bytes 4-5   SOURCE CSCD DESCRIPTOR ID (the index of a CSCD descriptor in the list)
 * Bytes 6-7   DESTINATION CSCD DESCRIPTOR ID
 * Bytes 10-11 BLOCK DEVICE NUMBER OF BLOCKS
 * Bytes 12-19 SOURCE BLOCK DEVICE LOGICAL BLOCK ADDRESS
 * Bytes 20-27 DESTINATION BLOCK DEVICE LOGICAL BLOCK ADDRESS
 * </pre>
 * Field pointers count from the first byte of the parameter list. The order of the checks follows LIO and what
 * libiscsi's ExtendedCopy suite expects: the descriptor lists' total length, then the list lengths against the
 * parameter list, then the count and the type of the CSCD descriptors, then those of the segment descriptors. DC
 * and CAT need no handling: source and destination must have one block size, so no residue can arise.
 */
record ExtendedCopyParameters(int listId, int listIdUsage, List<Cscd> cscds, List<Segment> segments) {
    static final int HEADER_LENGTH = 16;
    static final int CSCD_LENGTH = 32;
    static final int BLOCK_TO_BLOCK_LENGTH = 28;
    /** SPC-4 6.4.5.1 descriptor type codes this copy manager implements. */
    static final int TYPE_BLOCK_TO_BLOCK = 0x02;
    static final int TYPE_IDENTIFICATION = 0xE4;
    /** The first CSCD descriptor type code: lower codes are segment descriptors. */
    static final int FIRST_CSCD_TYPE = 0xC0;

    // LIST ID USAGE (SPC-4 6.4.3, Table 110)
    static final int LIST_ID_HELD = 0b00;
    static final int LIST_ID_RESERVED = 0b01;
    static final int LIST_ID_NOT_HELD = 0b10;
    static final int LIST_ID_NONE = 0b11;

    /**
     * Limits, advertised in RECEIVE COPY RESULTS OPERATING PARAMETERS and the Third-party Copy VPD page. VMware's
     * full copy sends two CSCD descriptors and one segment; the bounds leave room and keep one command's parse
     * small and its duration bounded (16 segments of at most 65,535 blocks).
     */
    static final int MAX_CSCD_DESCRIPTORS = 8;
    static final int MAX_SEGMENT_DESCRIPTORS = 16;
    static final int MAX_DESCRIPTOR_LIST_LENGTH = 1024;
    /** No inline or embedded data: no segment type that would use it is implemented. */
    static final int MAX_INLINE_DATA_LENGTH = 0;
    static final int MAX_PARAMETER_LIST_LENGTH = HEADER_LENGTH + MAX_DESCRIPTOR_LIST_LENGTH;
    /** BLOCK DEVICE NUMBER OF BLOCKS is 16 bits: the most one block to block segment copies. */
    static final int MAX_SEGMENT_BLOCKS = 0xFFFF;

    // SPC-4 7.8.6.1 designation descriptor header: CODE SET in byte 0, ASSOCIATION and DESIGNATOR TYPE in byte 1
    private static final int DESIGNATOR_OFFSET = 4;
    private static final int MAX_DESIGNATOR_LENGTH = 16;

    /**
     * One identification CSCD descriptor.
     *
     * @param offset       where it starts in the parameter list (for field pointers)
     * @param codeSet      CODE SET of its designation descriptor
     * @param associationAndType ASSOCIATION and DESIGNATOR TYPE (byte 1 of the designation descriptor, PIV cleared)
     * @param designator   the DESIGNATOR bytes
     * @param blockLength  DISK BLOCK LENGTH
     */
    record Cscd(int offset, int codeSet, int associationAndType, byte[] designator, int blockLength) {
    }

    /** One block to block segment descriptor, at {@code offset} in the parameter list. */
    record Segment(int offset, int sourceIndex, int destinationIndex, int blocks, long sourceLba,
                   long destinationLba) {
    }

    /** Decodes a parameter list of {@code p.length} bytes (the CDB's PARAMETER LIST LENGTH, at least 1). */
    static ExtendedCopyParameters parse(byte[] p) {
        if (p.length < HEADER_LENGTH) {
            throw CheckCondition.parameterListLengthError();
        }
        int reserved = p[1] & 0xC0;
        if (reserved != 0) {
            throw CheckCondition.invalidFieldInParameterList(1, 31 - Integer.numberOfLeadingZeros(reserved));
        }
        int listIdUsage = (p[1] >>> 3) & 0x03;
        if (listIdUsage == LIST_ID_RESERVED) {
            throw CheckCondition.invalidFieldInParameterList(1, 4);
        }
        long cscdLength = Cdb.u16(p, 2);
        long segmentLength = Cdb.u32(p, 8);
        long inlineLength = Cdb.u32(p, 12);
        if (cscdLength + segmentLength > MAX_DESCRIPTOR_LIST_LENGTH) {
            throw CheckCondition.parameterListLengthError();
        }
        if (HEADER_LENGTH + cscdLength + segmentLength + inlineLength > p.length) {
            throw CheckCondition.parameterListLengthError();
        }
        if (inlineLength > MAX_INLINE_DATA_LENGTH) {
            throw CheckCondition.invalidFieldInParameterList(12, -1);
        }
        List<Cscd> cscds = cscds(p, HEADER_LENGTH, (int) cscdLength);
        List<Segment> segments = segments(p, HEADER_LENGTH + (int) cscdLength, (int) segmentLength);
        return new ExtendedCopyParameters(p[0] & 0xFF, listIdUsage, cscds, segments);
    }

    private static List<Cscd> cscds(byte[] p, int start, int length) {
        if (length % CSCD_LENGTH != 0) {
            // every CSCD descriptor type this copy manager knows is 32 bytes; a list of another length holds one
            // it cannot walk (the 64-byte IPv6 and IP copy service types are not implemented)
            throw CheckCondition.invalidFieldInParameterList(2, -1);
        }
        if (length / CSCD_LENGTH > MAX_CSCD_DESCRIPTORS) {
            throw new CheckCondition(SenseData.tooManyCscdDescriptors());
        }
        List<Cscd> list = new ArrayList<>(length / CSCD_LENGTH);
        for (int at = start; at < start + length; at += CSCD_LENGTH) {
            list.add(cscd(p, at));
        }
        return list;
    }

    private static Cscd cscd(byte[] p, int at) {
        if ((p[at] & 0xFF) != TYPE_IDENTIFICATION) {
            throw new CheckCondition(SenseData.unsupportedCscdDescriptorType(at));
        }
        // LU ID TYPE is ignored (SPC-4 6.4.5.4 made it obsolete; libiscsi expects that of an SPC-4 device)
        if ((p[at + 1] & 0x20) != 0) {
            // NUL (obsolete): a copy to or from nothing is not offered
            throw CheckCondition.invalidFieldInParameterList(at + 1, 5);
        }
        if ((p[at + 1] & 0x1F) != InquiryCommand.PDT_DIRECT_ACCESS) {
            throw CheckCondition.invalidFieldInParameterList(at + 1, 4);
        }
        int d = at + DESIGNATOR_OFFSET;
        int designatorLength = p[d + 3] & 0xFF;
        if (designatorLength > MAX_DESIGNATOR_LENGTH) {
            throw CheckCondition.invalidFieldInParameterList(d + 3, -1);
        }
        byte[] designator = java.util.Arrays.copyOfRange(p, d + 4, d + 4 + designatorLength);
        int blockLength = (int) (Cdb.u32(p, at + 28) & 0xFFFFFF);
        return new Cscd(at, p[d] & 0x0F, p[d + 1] & 0x3F, designator, blockLength);
    }

    private static List<Segment> segments(byte[] p, int start, int length) {
        // walk first, to count: a list with too many descriptors is refused as such whatever they hold
        int count = 0;
        for (int at = start; at < start + length; count++) {
            if (at + 4 > start + length) {
                throw CheckCondition.parameterListLengthError();
            }
            int next = at + 4 + Cdb.u16(p, at + 2);
            if (next > start + length) {
                // a DESCRIPTOR LENGTH that runs past the list
                throw CheckCondition.invalidFieldInParameterList(at + 2, -1);
            }
            at = next;
        }
        if (count > MAX_SEGMENT_DESCRIPTORS) {
            throw new CheckCondition(SenseData.tooManySegmentDescriptors());
        }
        List<Segment> list = new ArrayList<>(count);
        for (int at = start; at < start + length; at += 4 + Cdb.u16(p, at + 2)) {
            list.add(segment(p, at));
        }
        return list;
    }

    private static Segment segment(byte[] p, int at) {
        int type = p[at] & 0xFF;
        if (type != TYPE_BLOCK_TO_BLOCK) {
            throw new CheckCondition(type >= FIRST_CSCD_TYPE
                    ? SenseData.unsupportedCscdDescriptorType(at) : SenseData.unsupportedSegmentDescriptorType(at));
        }
        int reserved = p[at + 1] & 0xFC;
        if (reserved != 0) {
            throw CheckCondition.invalidFieldInParameterList(at + 1, 31 - Integer.numberOfLeadingZeros(reserved));
        }
        if (Cdb.u16(p, at + 2) != BLOCK_TO_BLOCK_LENGTH - 4) {
            throw CheckCondition.invalidFieldInParameterList(at + 2, -1);
        }
        return new Segment(at, Cdb.u16(p, at + 4), Cdb.u16(p, at + 6), Cdb.u16(p, at + 10), Cdb.u64(p, at + 12),
                Cdb.u64(p, at + 20));
    }
}
