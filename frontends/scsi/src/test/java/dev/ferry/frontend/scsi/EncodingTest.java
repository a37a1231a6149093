package dev.ferry.frontend.scsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Sense data and LUN field encodings against byte vectors written from SPC-4 and SAM-5. */
class EncodingTest {

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void fixedSenseWithoutInformation() {
        // SPC-4 4.5.3 Table 48: 70h, -, key, INFORMATION(4), ADDITIONAL SENSE LENGTH 0Ah, CSI(4), ASC, ASCQ, FRU, SKS(3)
        assertArrayEquals(bytes(0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x21, 0x00, 0, 0, 0, 0),
                SenseData.lbaOutOfRange().encode());
    }

    @Test
    void fixedSenseWithInformationSetsValid() {
        assertArrayEquals(bytes(0xF0, 0, 0x0E, 0x00, 0x01, 0x02, 0x03, 0x0A, 0, 0, 0, 0, 0x1D, 0x00, 0, 0, 0, 0),
                SenseData.miscompare(0x010203).encode());
    }

    @Test
    void invalidFieldInCdbCarriesFieldPointer() {
        // SPC-4 4.5.2.4.2 Table 47: SKSV=1, C/D=1 (CDB), BPV=1, BIT POINTER=7; FIELD POINTER = 0001h
        assertArrayEquals(bytes(0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x24, 0x00, 0, 0xCF, 0x00, 0x01),
                SenseData.invalidFieldInCdb(1, 7).encode());
        // no bit pointer: BPV=0
        assertArrayEquals(bytes(0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x24, 0x00, 0, 0xC0, 0x00, 0x07),
                SenseData.invalidFieldInCdb(7, -1).encode());
        // parameter list: C/D=0
        assertArrayEquals(bytes(0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x26, 0x00, 0, 0x80, 0x01, 0x02),
                SenseData.invalidFieldInParameterList(0x102, -1).encode());
    }

    @Test
    void unitAttentionSense() {
        assertArrayEquals(bytes(0x70, 0, 0x06, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x29, 0x03, 0, 0, 0, 0),
                UnitAttention.LOGICAL_UNIT_RESET.sense().encode());
        assertArrayEquals(bytes(0x70, 0, 0x07, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x27, 0x07, 0, 0, 0, 0),
                SenseData.spaceAllocationFailed().encode());
    }

    @Test
    void lunFieldsDecodeBothSingleLevelMethods() {
        assertEquals(0, Luns.decode(0L));
        assertEquals(5, Luns.decode(0x0005_0000_0000_0000L));       // peripheral device addressing, LUN 5
        assertEquals(5, Luns.decode(0x4005_0000_0000_0000L));       // flat space addressing, LUN 5
        assertEquals(300, Luns.decode(0x412C_0000_0000_0000L));     // flat, LUN 300
        assertEquals(16383, Luns.decode(0x7FFF_0000_0000_0000L));
        assertEquals(Luns.INVALID, Luns.decode(0x0105_0000_0000_0000L)); // bus identifier 1
        assertEquals(Luns.INVALID, Luns.decode(0x0005_0001_0000_0000L)); // second level present
        assertEquals(Luns.INVALID, Luns.decode(0x8005_0000_0000_0000L)); // logical unit addressing
        assertEquals(Luns.REPORT_LUNS_WLUN, Luns.decode(0xC101_0000_0000_0000L));
    }

    @Test
    void lunFieldsEncodeLikeLinux() {
        assertEquals(0x0007_0000_0000_0000L, Luns.encode(7));
        assertEquals(0x4100_0000_0000_0000L, Luns.encode(256));
        assertEquals(0x7FFF_0000_0000_0000L, Luns.encode(16383));
        assertThrows(IllegalArgumentException.class, () -> Luns.encode(16384));
    }

    @Test
    void cdbLengthFollowsGroupCode() {
        assertEquals(6, Cdb.length(0x12));
        assertEquals(10, Cdb.length(0x28));
        assertEquals(10, Cdb.length(0x5A));
        assertEquals(16, Cdb.length(0x88));
        assertEquals(12, Cdb.length(0xA0));
        assertEquals(-1, Cdb.length(0x60));
    }
}
