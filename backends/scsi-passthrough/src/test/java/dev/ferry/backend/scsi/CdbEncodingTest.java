package dev.ferry.backend.scsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** CDBs and parameter lists byte for byte against the SBC-3 / SPC-4 tables. */
class CdbEncodingTest {
    private final byte[] cdb = new byte[16];

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    private static byte[] first(byte[] b, int n) {
        return Arrays.copyOf(b, n);
    }

    @Test
    void read16() {
        // SBC-3 table 52: 88h, flags, LBA 2-9, TRANSFER LENGTH 10-13, group, control
        assertArrayEquals(hex("88 00 0000000012345678 00000100 00 00"), Cdb16.read16(cdb, 0x12345678L, 0x100));
        assertArrayEquals(hex("88 00 FFFFFFFFFFFFFFFE FFFFFFFF 00 00"), Cdb16.read16(cdb, -2L, -1));
    }

    @Test
    void write16WithAndWithoutFua() {
        assertArrayEquals(hex("8A 08 0000000000000800 00000080 00 00"), Cdb16.write16(cdb, 0x800, 0x80, true));
        assertArrayEquals(hex("8A 00 0000000000000800 00000080 00 00"), Cdb16.write16(cdb, 0x800, 0x80, false));
    }

    @Test
    void synchronizeCache() {
        assertArrayEquals(hex("91 00 0000000000000000 00000000 00 00"), Cdb16.synchronizeCache16(cdb));
        assertArrayEquals(hex("35 00 00000000 00 0000 00"), first(Cdb10.synchronizeCache10(cdb), 10));
    }

    @Test
    void writeSame16WithUnmap() {
        // SBC-3 table 115: byte 1 bit 3 UNMAP
        assertArrayEquals(hex("93 08 0000000000001000 00000200 00 00"), Cdb16.writeSame16(cdb, 0x1000, 0x200, true));
        assertArrayEquals(hex("93 00 0000000000001000 00000200 00 00"), Cdb16.writeSame16(cdb, 0x1000, 0x200, false));
    }

    @Test
    void readCapacity16() {
        // SBC-3 table 64: SERVICE ACTION IN(16) 9Eh, service action 10h, ALLOCATION LENGTH 10-13
        assertArrayEquals(hex("9E 10 0000000000000000 00000020 00 00"), Cdb16.readCapacity16(cdb, 32));
    }

    @Test
    void unmapCdbAndParameterList() {
        // SBC-3 table 94: PARAMETER LIST LENGTH in 7-8
        assertArrayEquals(hex("42 00 00000000 00 0018 00"), first(Unmap.cdb(cdb, 24), 10));
        byte[] list = new byte[24];
        int n = Unmap.header(list, 1);
        Unmap.descriptor(list, 0, 0x123456789AL, 0x10000);
        // table 95 header: UNMAP DATA LENGTH = 22 (n - 2), BLOCK DESCRIPTOR DATA LENGTH = 16; table 96 descriptor
        assertArrayEquals(hex("0016 0010 00000000 000000123456789A 00010000 00000000"), list);
        assertArrayEquals(new int[] {24}, new int[] {n});
    }

    @Test
    void inquiryAndModeSense() {
        assertArrayEquals(hex("12 00 00 0060 00"), first(Inquiry.cdb(cdb, false, 0, 96), 6));
        assertArrayEquals(hex("12 01 83 00FC 00"), first(Inquiry.cdb(cdb, true, 0x83, 252), 6));
        assertArrayEquals(hex("12 01 B0 00FC 00"), first(Inquiry.cdb(cdb, true, 0xB0, 252), 6));
        // SPC-4 table 161: DBD, current values of page 08h
        assertArrayEquals(hex("1A 08 08 00 FC 00"), first(ModeSense.cdb(cdb, 8, 252), 6));
    }
}
