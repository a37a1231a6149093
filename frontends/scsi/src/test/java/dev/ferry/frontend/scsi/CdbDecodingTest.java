package dev.ferry.frontend.scsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** CDB field extraction and the reserved-bit check against CDBs written out byte by byte from SBC-3 / SPC-4. */
class CdbDecodingTest {

    private static byte[] b(int... v) {
        byte[] out = new byte[16];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    @Test
    void bigEndianFields() {
        // READ(16): 88h | flags | LBA 0102030405060708h | TRANSFER LENGTH 0A0B0C0Dh | group | control
        byte[] read16 = b(0x88, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 0x0A, 0x0B, 0x0C, 0x0D, 0, 0);
        assertEquals(0x0102030405060708L, Cdb.u64(read16, 2));
        assertEquals(0x0A0B0C0DL, Cdb.u32(read16, 10));
        // READ(6): LBA is the low 5 bits of byte 1 and bytes 2-3
        byte[] read6 = b(0x08, 0x1F, 0xFF, 0xFE, 0x00, 0x00);
        assertEquals(0x1FFFFE, Cdb.u24(read6, 1) & 0x1F_FFFF);
        // a 64-bit LBA with the top bit set decodes negative, i.e. out of every range
        assertEquals(-1L, Cdb.u64(b(0x88, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), 2));
        assertEquals(0xFFFFFFFFL, Cdb.u32(b(0x28, 0, 0xFF, 0xFF, 0xFF, 0xFF), 2));
        byte[] out = new byte[8];
        Cdb.put64(out, 0, 0x1122334455667788L);
        assertArrayEquals(new byte[] {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88}, out);
        byte[] ascii = new byte[8];
        Cdb.putAscii(ascii, 0, 8, "AB\u00e9");
        assertArrayEquals(new byte[] {'A', 'B', ' ', ' ', ' ', ' ', ' ', ' '}, ascii);
    }

    @Test
    void lookupByOpcodeAndServiceAction() {
        assertEquals("READ(10)", CommandSet.lookup(b(0x28)).name());
        assertEquals("READ CAPACITY(16)", CommandSet.lookup(b(0x9E, 0x10)).name());
        // bits above the 5-bit SERVICE ACTION do not change the service action
        assertEquals("READ CAPACITY(16)", CommandSet.lookup(b(0x9E, 0xF0)).name());
        assertEquals("GET LBA STATUS", CommandSet.lookup(b(0x9E, 0x12)).name());
        assertNull(CommandSet.lookup(b(0x9E, 0x13)));      // REPORT REFERRALS: not implemented
        assertNull(CommandSet.lookup(b(0x3C)));
        assertEquals("REPORT SUPPORTED OPERATION CODES", CommandSet.lookup(b(0xA3, 0x0C)).name());
    }

    private static SenseData reserved(byte[] cdb) {
        CheckCondition cc = assertThrows(CheckCondition.class,
                () -> CommandSet.lookup(cdb).checkReservedBits(cdb, null));
        return cc.sense();
    }

    @Test
    void reservedBitsPointAtByteAndBit() {
        // READ(10) RDPROTECT=001b: byte 1 bit 5
        SenseData s = reserved(b(0x28, 0x20, 0, 0, 0, 0, 0, 0, 1, 0));
        assertEquals(0x24, s.asc());
        assertEquals(1, s.fieldPointer());
        assertEquals(5, s.bitPointer());
        // READ(10) NACA in the CONTROL byte: byte 9 bit 2
        s = reserved(b(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0x04));
        assertEquals(9, s.fieldPointer());
        assertEquals(2, s.bitPointer());
        // INQUIRY CMDDT (obsolete): byte 1 bit 1
        s = reserved(b(0x12, 0x02, 0, 0, 36, 0));
        assertEquals(1, s.fieldPointer());
        assertEquals(1, s.bitPointer());
        // READ CAPACITY(16) with a reserved bit above its service action: byte 1 bit 7
        s = reserved(b(0x9E, 0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0));
        assertEquals(1, s.fieldPointer());
        assertEquals(7, s.bitPointer());
        // the bits a command evaluates pass: WRITE(16) DPO FUA, WRITE SAME(16) UNMAP NDOB
        assertDoesNotThrow(() -> CommandSet.lookup(b(0x8A, 0x18)).checkReservedBits(b(0x8A, 0x18), null));
        assertDoesNotThrow(() -> CommandSet.lookup(b(0x93, 0x09)).checkReservedBits(b(0x93, 0x09), null));
        // WRITE SAME ANCHOR: byte 1 bit 4
        s = reserved(b(0x93, 0x10));
        assertEquals(4, s.bitPointer());
    }

    @Test
    void everyUsageMaskStartsWithItsOpcodeAndFitsTheGroupCode() {
        for (CommandSet.OpSpec s : CommandSet.ALL) {
            assertEquals((byte) s.opcode(), s.usage()[0], s.name());
            assertEquals(Cdb.length(s.opcode()), s.cdbLength(), s.name());
            assertEquals(0, s.usage()[s.cdbLength() - 1], s.name() + ": CONTROL evaluates nothing");
            if (s.hasServiceAction()) {
                assertEquals(s.serviceAction(), s.usage()[1] & 0x1F, s.name());
            }
        }
    }
}
