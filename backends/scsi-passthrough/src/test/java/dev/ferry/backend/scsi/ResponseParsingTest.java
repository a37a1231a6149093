package dev.ferry.backend.scsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** INQUIRY, VPD, READ CAPACITY(16) and mode page data parsed from vectors laid out as in the standards. */
class ResponseParsingTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
    }

    @Test
    void standardInquiry() {
        byte[] d = new byte[96];
        d[0] = 0x00; // direct access block device
        System.arraycopy("INITVM  EMUL-SCSI-DISK  2.5+".getBytes(), 0, d, 8, 28);
        Inquiry.Standard s = Inquiry.Standard.parse(d);
        assertEquals(0, s.peripheralType());
        assertEquals("INITVM", s.vendor());
        assertEquals("EMUL-SCSI-DISK", s.product());
        assertEquals("2.5+", s.revision());
    }

    @Test
    void serialAndDesignators() {
        assertEquals("INITVMSCSI0", Inquiry.unitSerial(hex("00 80 000B 494E4954564D5343534930")));
        // 83h: a T10 vendor id (type 1), then a target-port (association 01b) NAA, then the LU NAA (type 3)
        byte[] page = hex("00 83 0024"
                + "02 01 00 08 494E4954564D2020"
                + "01 93 00 08 5000000000000001"
                + "01 03 00 08 6001405ABCDEF012");
        assertEquals("naa.6001405abcdef012", Inquiry.logicalUnitDesignator(page));
        assertEquals("t10.INITVM", Inquiry.logicalUnitDesignator(hex("00 83 000C 02 01 00 08 494E4954564D2020")));
    }

    @Test
    void readCapacity16() {
        // last LBA 1FFFFh, 512-byte blocks, exponent 3 (512e), LBPME and LBPRZ
        Capacity16 c = Capacity16.parse(hex("000000000001FFFF 00000200 00 03 C000" + "00".repeat(16)));
        assertEquals(0x20000, c.blocks());
        assertEquals(512, c.blockLength());
        assertEquals(3, c.physicalPerLogicalExponent());
        assertTrue(c.provisioned());
        assertTrue(c.readsZeroes());
    }

    @Test
    void blockLimitsAndProvisioning() {
        byte[] b0 = new byte[64];
        b0[1] = (byte) 0xB0;
        BigEndian.put16(b0, 2, 0x3C);
        BigEndian.put32(b0, 8, 0x400); // MAXIMUM TRANSFER LENGTH
        BigEndian.put32(b0, 12, 0x80); // OPTIMAL TRANSFER LENGTH
        BigEndian.put32(b0, 20, 0x400000); // MAXIMUM UNMAP LBA COUNT
        BigEndian.put32(b0, 24, 1); // MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT
        BigEndian.put32(b0, 28, 8); // OPTIMAL UNMAP GRANULARITY
        BigEndian.put64(b0, 36, 0x10000); // MAXIMUM WRITE SAME LENGTH
        assertEquals(new BlockLimits(0x400, 0x80, 0x400000, 1, 8, 0x10000), BlockLimits.parse(b0));
        assertEquals(BlockLimits.NONE, BlockLimits.parse(Arrays.copyOf(hex("00B00004"), 64)), "short page");
        assertEquals(new Provisioning(true, true, true), Provisioning.parse(hex("00 B2 0004 00 C4 02 00")));
        assertEquals(new Provisioning(false, true, false), Provisioning.parse(hex("00 B2 0004 00 40 02 00")));
    }

    @Test
    void cachingModePage() {
        // header: length, medium type, device-specific (WP bit 7), block descriptor length 0; page 08h, WCE set
        assertEquals(new ModeSense.Caching(false, true), ModeSense.Caching.parse(hex("17 00 00 00 08 12 04 00")));
        assertEquals(new ModeSense.Caching(true, false), ModeSense.Caching.parse(hex("17 00 80 00 08 12 00 00")));
    }

    @Test
    void rotationRate() {
        assertFalse(Inquiry.rotational(hex("00 B1 003C 0001")));
        assertTrue(Inquiry.rotational(hex("00 B1 003C 1C20"))); // 7200 rpm
    }
}
