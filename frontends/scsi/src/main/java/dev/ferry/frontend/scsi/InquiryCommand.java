package dev.ferry.frontend.scsi;

import dev.ferry.core.unit.UnitIdentity;

/**
 * SPC-4 6.6 INQUIRY: standard data (6.6.2) or a VPD page (7.8).
 *
 * <pre>
 * CDB: byte 1 bit 0 EVPD | byte 2 PAGE CODE | bytes 3-4 ALLOCATION LENGTH | byte 5 CONTROL
 * </pre>
 */
final class InquiryCommand {
    /** SPC-4 6.6.2 PERIPHERAL DEVICE TYPE: direct access block device (SBC-3). */
    static final int PDT_DIRECT_ACCESS = 0x00;
    /** Standard data byte 5 bit 3 3PC: the unit's copy manager takes EXTENDED COPY (SPC-4 6.6.2). */
    static final int THIRD_PARTY_COPY = 0x08;
    /** Well known logical unit (SPC-4 8). */
    static final int PDT_WELL_KNOWN = 0x1E;
    /** PERIPHERAL QUALIFIER 011b, PERIPHERAL DEVICE TYPE 1Fh: no logical unit at this LUN (SPC-4 6.6.2). */
    static final int NO_LOGICAL_UNIT = 0x7F;

    /** SPC-4 6.6.2: VERSION 06h = claims conformance to SPC-4. */
    static final int VERSION_SPC4 = 0x06;
    static final int RESPONSE_DATA_FORMAT = 0x02;
    static final int STANDARD_LENGTH = 96;
    /** SPC-4 6.6.2 TPGS 01b: implicit asymmetric logical unit access only (SPC-4 5.15). */
    static final int TPGS_IMPLICIT = 0b01;
    /** SPC-4 6.6.2 TPGS 11b: implicit and explicit (SET TARGET PORT GROUPS), with access groups configured. */
    static final int TPGS_EXPLICIT = 0b11;

    /** SPC-4 6.6.2 version descriptors ("no version claimed" variants). */
    static final int VERSION_SAM5 = 0x00A0;
    static final int VERSION_SPC4_DESCRIPTOR = 0x0460;
    static final int VERSION_SBC3 = 0x04C0;
    static final int VERSION_ISCSI = 0x0960;

    private InquiryCommand() {
    }

    static void execute(ScsiCommand c) {
        boolean evpd = (c.cdb[1] & 0x01) != 0;
        int pageCode = Cdb.u8(c.cdb, 2);
        int allocationLength = Cdb.u16(c.cdb, 3);
        if (!evpd && pageCode != 0) {
            throw CheckCondition.invalidFieldInCdb(2, -1); // SPC-4 6.6.1: PAGE CODE must be zero without EVPD
        }
        int peripheral = peripheral(c);
        byte[] data;
        if (!evpd) {
            data = standard(c, peripheral);
        } else if (c.lu == null) {
            // no unit (or the W-LUN): only the list of supported pages, which names just itself
            if (pageCode != VpdPages.SUPPORTED_PAGES) {
                throw CheckCondition.invalidFieldInCdb(2, -1);
            }
            data = new byte[] {(byte) peripheral, 0x00, 0x00, 0x01, 0x00};
        } else {
            data = VpdPages.page(c, pageCode);
        }
        c.dataIn(data, Math.min(allocationLength, data.length));
    }

    static int peripheral(ScsiCommand c) {
        if (c.lu != null) {
            return PDT_DIRECT_ACCESS; // PERIPHERAL QUALIFIER 000b: connected
        }
        return c.lun == Luns.REPORT_LUNS_WLUN ? PDT_WELL_KNOWN : NO_LOGICAL_UNIT;
    }

    /**
     * <pre>
     * Byte 0      PERIPHERAL QUALIFIER(7-5) | PERIPHERAL DEVICE TYPE(4-0)
     * Byte 1      RMB(7) = 0, not removable
     * Byte 2      VERSION
     * Byte 3      NORMACA(5) = 0 | HISUP(4) = 1 | RESPONSE DATA FORMAT(3-0) = 2
     * Byte 4      ADDITIONAL LENGTH (n-4)
     * Byte 5      SCCS ACC TPGS(5-4)=01b (implicit ALUA: REPORT TARGET PORT GROUPS) 3PC(3)=1 (EXTENDED COPY)
     *             PROTECT = 0
     * Byte 6      ENCSERV MULTIP ... = 0
     * Byte 7      CMDQUE(1) = 1
     * Bytes 8-15  T10 VENDOR IDENTIFICATION
     * Bytes 16-31 PRODUCT IDENTIFICATION
     * Bytes 32-35 PRODUCT REVISION LEVEL
     * Bytes 36-57 vendor specific / reserved
     * Bytes 58-73 VERSION DESCRIPTOR 1-8
     * Bytes 74-95 reserved
     * </pre>
     */
    static byte[] standard(ScsiCommand c, int peripheral) {
        byte[] d = new byte[STANDARD_LENGTH];
        d[0] = (byte) peripheral;
        d[2] = VERSION_SPC4;
        d[3] = 0x10 | RESPONSE_DATA_FORMAT;
        d[4] = (byte) (STANDARD_LENGTH - 5);
        if (c.lu != null) {
            d[5] = (byte) ((c.target.export().accessGroups().layout().explicit() ? TPGS_EXPLICIT : TPGS_IMPLICIT) << 4
                    | THIRD_PARTY_COPY);
        }
        d[7] = 0x02;
        UnitIdentity id = c.lu != null ? c.lu.descriptor.identity() : null;
        Cdb.putAscii(d, 8, 8, id != null ? id.vendor() : UnitIdentity.VENDOR);
        Cdb.putAscii(d, 16, 16, id != null ? id.product() : (c.lu == null && c.lun == Luns.REPORT_LUNS_WLUN
                ? "REPORT LUNS WLUN" : ""));
        Cdb.putAscii(d, 32, 4, id != null ? id.revision() : UnitIdentity.REVISION);
        int at = 58;
        Cdb.put16(d, at, VERSION_SAM5);
        Cdb.put16(d, at + 2, VERSION_SPC4_DESCRIPTOR);
        at += 4;
        if (c.lu != null) {
            Cdb.put16(d, at, VERSION_SBC3);
            at += 2;
        }
        ScsiPort port = c.nexus != null ? c.nexus.port() : null;
        if (port != null && port.protocolIdentifier() == ScsiPort.PROTOCOL_ISCSI) {
            Cdb.put16(d, at, VERSION_ISCSI);
        }
        return d;
    }
}
