package dev.ferry.frontend.scsi;

import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.unit.UnitIdentity;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The vital product data pages (SPC-4 7.8, SBC-3 6.5). Every page starts with the same 4-byte header:
 * PERIPHERAL QUALIFIER | DEVICE TYPE, PAGE CODE, PAGE LENGTH (2 bytes, n-3).
 */
final class VpdPages {
    static final int SUPPORTED_PAGES = 0x00;
    static final int UNIT_SERIAL_NUMBER = 0x80;
    static final int DEVICE_IDENTIFICATION = 0x83;
    static final int EXTENDED_INQUIRY = 0x86;
    static final int BLOCK_LIMITS = 0xB0;
    static final int BLOCK_DEVICE_CHARACTERISTICS = 0xB1;
    static final int LOGICAL_BLOCK_PROVISIONING = 0xB2;

    /** Ascending, as SPC-4 7.8.13 requires. */
    static final int[] PAGES = {SUPPORTED_PAGES, UNIT_SERIAL_NUMBER, DEVICE_IDENTIFICATION, EXTENDED_INQUIRY,
            ThirdPartyCopyVpd.PAGE_CODE, BLOCK_LIMITS, BLOCK_DEVICE_CHARACTERISTICS, LOGICAL_BLOCK_PROVISIONING};

    // SPC-4 7.8.6.1 CODE SET, ASSOCIATION, DESIGNATOR TYPE
    static final int CODE_SET_BINARY = 0x1;
    static final int CODE_SET_ASCII = 0x2;
    static final int CODE_SET_UTF8 = 0x3;
    static final int ASSOC_LOGICAL_UNIT = 0b00;
    static final int ASSOC_TARGET_PORT = 0b01;
    static final int ASSOC_TARGET_DEVICE = 0b10;
    static final int TYPE_T10_VENDOR = 0x1;
    static final int TYPE_EUI64 = 0x2;
    static final int TYPE_NAA = 0x3;
    static final int TYPE_RELATIVE_TARGET_PORT = 0x4;
    static final int TYPE_TARGET_PORT_GROUP = 0x5;
    static final int TYPE_SCSI_NAME_STRING = 0x8;

    private VpdPages() {
    }

    static byte[] page(ScsiCommand c, int pageCode) {
        LunContext lu = c.lu;
        return switch (pageCode) {
            case SUPPORTED_PAGES -> supportedPages();
            case UNIT_SERIAL_NUMBER -> unitSerialNumber(lu.descriptor.identity());
            case DEVICE_IDENTIFICATION -> deviceIdentification(lu.descriptor.identity(), c.nexus);
            case EXTENDED_INQUIRY -> extendedInquiry(lu);
            case ThirdPartyCopyVpd.PAGE_CODE -> ThirdPartyCopyVpd.page();
            case BLOCK_LIMITS -> blockLimits(lu.limits);
            case BLOCK_DEVICE_CHARACTERISTICS -> blockDeviceCharacteristics(lu.descriptor);
            case LOGICAL_BLOCK_PROVISIONING -> logicalBlockProvisioning(lu.descriptor);
            default -> throw CheckCondition.invalidFieldInCdb(2, -1);
        };
    }

    private static byte[] header(int pageCode, int pageLength) {
        byte[] d = new byte[4 + pageLength];
        d[0] = InquiryCommand.PDT_DIRECT_ACCESS;
        d[1] = (byte) pageCode;
        Cdb.put16(d, 2, pageLength);
        return d;
    }

    /** SPC-4 7.8.13: bytes 4.. the supported page codes, ascending. */
    static byte[] supportedPages() {
        byte[] d = header(SUPPORTED_PAGES, PAGES.length);
        for (int i = 0; i < PAGES.length; i++) {
            d[4 + i] = (byte) PAGES[i];
        }
        return d;
    }

    /** SPC-4 7.8.15: bytes 4.. PRODUCT SERIAL NUMBER (ASCII). */
    static byte[] unitSerialNumber(UnitIdentity id) {
        byte[] serial = id.serial().getBytes(StandardCharsets.US_ASCII);
        byte[] d = header(UNIT_SERIAL_NUMBER, serial.length);
        System.arraycopy(serial, 0, d, 4, serial.length);
        return d;
    }

    /**
     * SPC-4 7.8.6 Device Identification: a list of designation descriptors, each
     * <pre>
     * Byte 0  PROTOCOL IDENTIFIER(7-4) | CODE SET(3-0)
     * Byte 1  PIV(7) | ASSOCIATION(5-4) | DESIGNATOR TYPE(3-0)
     * Byte 3  DESIGNATOR LENGTH (n-3)
     * Bytes 4-n DESIGNATOR
     * </pre>
     * Logical unit: NAA (type 3h, 7.8.6.6.3), EUI-64 (8 bytes) and the EUI-64 based 16-byte designator (7.8.6.5),
     * T10 vendor ID (vendor + serial). Target port (from the nexus): SCSI name string of the port, relative target
     * port, target port group. Target device: SCSI name string of the target.
     */
    static byte[] deviceIdentification(UnitIdentity id, ItNexus nexus) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        byte[] eight = new byte[8];
        Cdb.put64(eight, 0, id.naa());
        designator(out, 0, false, CODE_SET_BINARY, ASSOC_LOGICAL_UNIT, TYPE_NAA, eight);
        eight = new byte[8];
        Cdb.put64(eight, 0, id.eui64());
        designator(out, 0, false, CODE_SET_BINARY, ASSOC_LOGICAL_UNIT, TYPE_EUI64, eight);
        designator(out, 0, false, CODE_SET_BINARY, ASSOC_LOGICAL_UNIT, TYPE_EUI64, id.nguid());
        byte[] serial = id.serial().getBytes(StandardCharsets.US_ASCII);
        byte[] t10 = new byte[8 + serial.length];
        Cdb.putAscii(t10, 0, 8, id.vendor());
        System.arraycopy(serial, 0, t10, 8, serial.length);
        designator(out, 0, false, CODE_SET_ASCII, ASSOC_LOGICAL_UNIT, TYPE_T10_VENDOR, t10);
        ScsiPort port = nexus != null ? nexus.port() : null;
        if (port != null) {
            int proto = port.protocolIdentifier();
            if (port.targetPortName() != null) {
                designator(out, proto, true, CODE_SET_UTF8, ASSOC_TARGET_PORT, TYPE_SCSI_NAME_STRING,
                        nameString(port.targetPortName()));
            }
            byte[] four = new byte[4];
            Cdb.put16(four, 2, port.relativePortId());
            designator(out, proto, true, CODE_SET_BINARY, ASSOC_TARGET_PORT, TYPE_RELATIVE_TARGET_PORT, four);
            four = new byte[4];
            Cdb.put16(four, 2, port.targetPortGroup());
            designator(out, proto, true, CODE_SET_BINARY, ASSOC_TARGET_PORT, TYPE_TARGET_PORT_GROUP, four);
            if (port.targetName() != null) {
                designator(out, proto, true, CODE_SET_UTF8, ASSOC_TARGET_DEVICE, TYPE_SCSI_NAME_STRING,
                        nameString(port.targetName()));
            }
        }
        byte[] list = out.toByteArray();
        byte[] d = header(DEVICE_IDENTIFICATION, list.length);
        System.arraycopy(list, 0, d, 4, list.length);
        return d;
    }

    private static void designator(ByteArrayOutputStream out, int protocol, boolean piv, int codeSet,
                                   int association, int type, byte[] value) {
        out.write((protocol << 4) | codeSet);
        out.write((piv ? 0x80 : 0) | (association << 4) | type);
        out.write(0);
        out.write(value.length);
        out.write(value, 0, value.length);
    }

    /** SPC-4 7.8.6.11: UTF-8, null-terminated, null-padded to a multiple of four bytes. */
    static byte[] nameString(String name) {
        byte[] s = name.getBytes(StandardCharsets.UTF_8);
        int len = Math.min(252, (s.length + 1 + 3) & ~3);
        byte[] d = new byte[len];
        System.arraycopy(s, 0, d, 0, Math.min(s.length, len - 1));
        return d;
    }

    /**
     * SPC-4 7.8.7 Extended INQUIRY Data, page length 3Ch.
     * <pre>
     * Byte 4  ACTIVATE MICROCODE(7-6) SPT(5-3) GRD_CHK APP_CHK REF_CHK = 0 (no protection information)
     * Byte 5  UASK_SUP(5) GROUP_SUP(4) PRIOR_SUP(3) HEADSUP(2) ORDSUP(1) SIMPSUP(0)
     * Byte 6  WU_SUP(3) CRD_SUP(2) NV_SUP(1) V_SUP(0)
     * </pre>
     * The task attributes are accepted from the transport (HEADSUP, ORDSUP, SIMPSUP as LIO); V_SUP when the unit
     * has a volatile cache.
     */
    static byte[] extendedInquiry(LunContext lu) {
        byte[] d = header(EXTENDED_INQUIRY, 0x3C);
        d[5] = 0x07;
        d[6] = (byte) (lu.descriptor.volatileWriteCache() ? 0x01 : 0x00);
        return d;
    }

    /**
     * SBC-3 6.5.3 Block Limits, page length 3Ch.
     * <pre>
     * Byte 4      WSNZ(0) = 1: WRITE SAME with NUMBER OF LOGICAL BLOCKS 0 is refused
     * Byte 5      MAXIMUM COMPARE AND WRITE LENGTH
     * Bytes 6-7   OPTIMAL TRANSFER LENGTH GRANULARITY
     * Bytes 8-11  MAXIMUM TRANSFER LENGTH
     * Bytes 12-15 OPTIMAL TRANSFER LENGTH
     * Bytes 16-19 MAXIMUM PREFETCH LENGTH (0 = no limit)
     * Bytes 20-23 MAXIMUM UNMAP LBA COUNT
     * Bytes 24-27 MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT
     * Bytes 28-31 OPTIMAL UNMAP GRANULARITY
     * Bytes 32-35 UGAVALID(7 of byte 32) | UNMAP GRANULARITY ALIGNMENT
     * Bytes 36-43 MAXIMUM WRITE SAME LENGTH
     * </pre>
     */
    static byte[] blockLimits(BlockLimits l) {
        byte[] d = header(BLOCK_LIMITS, 0x3C);
        d[4] = 0x01;
        d[5] = (byte) l.maxCompareAndWriteBlocks();
        Cdb.put16(d, 6, Math.min(0xFFFF, l.optimalGranularityBlocks()));
        Cdb.put32(d, 8, l.maxTransferBlocks());
        Cdb.put32(d, 12, l.optimalTransferBlocks());
        Cdb.put32(d, 20, l.maxUnmapLbaCount());
        Cdb.put32(d, 24, l.maxUnmapDescriptors());
        if (l.maxUnmapLbaCount() > 0) {
            Cdb.put32(d, 28, l.unmapGranularityBlocks());
            d[32] = (byte) 0x80; // UGAVALID, alignment 0: granules start at LBA 0
        }
        Cdb.put64(d, 36, l.maxWriteSameBlocks());
        return d;
    }

    /**
     * SBC-3 6.5.2 Block Device Characteristics, page length 3Ch.
     * Bytes 4-5 MEDIUM ROTATION RATE: 0001h non-rotating medium, 0000h rate not reported; byte 7 NOMINAL FORM
     * FACTOR 0h not reported.
     */
    static byte[] blockDeviceCharacteristics(BackendDescriptor d) {
        byte[] p = header(BLOCK_DEVICE_CHARACTERISTICS, 0x3C);
        Cdb.put16(p, 4, d.rotational() ? 0x0000 : 0x0001);
        return p;
    }

    /**
     * SBC-3 6.5.4 Logical Block Provisioning, page length 4 (no provisioning group descriptor).
     * <pre>
     * Byte 4  THRESHOLD EXPONENT = 0 (no thresholds)
     * Byte 5  LBPU(7) LBPWS(6) LBPWS10(5) reserved(4-3) LBPRZ(2) ANC_SUP(1) DP(0)
     * Byte 6  PROVISIONING TYPE(2-0): 000b not reported / fully provisioned, 010b thin provisioned
     * </pre>
     */
    static byte[] logicalBlockProvisioning(BackendDescriptor d) {
        byte[] p = header(LOGICAL_BLOCK_PROVISIONING, 4);
        if (d.discard()) {
            p[5] = (byte) (0x80 | 0x40 | 0x20 | (d.discardZeroes() ? 0x04 : 0));
            p[6] = 0x02;
        }
        return p;
    }
}
