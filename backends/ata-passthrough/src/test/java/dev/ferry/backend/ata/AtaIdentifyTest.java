package dev.ferry.backend.ata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** IDENTIFY DEVICE words (ACS-3 table 45) decoded from a hand-built 512-byte page. */
class AtaIdentifyTest {
    private final byte[] page = new byte[512];

    private void word(int w, int v) {
        page[2 * w] = (byte) v;
        page[2 * w + 1] = (byte) (v >>> 8);
    }

    /** ATA strings: first character in each word's high byte, padded with spaces. */
    private void string(int firstWord, int words, String s) {
        String padded = String.format("%-" + 2 * words + "s", s);
        for (int i = 0; i < words; i++) {
            word(firstWord + i, padded.charAt(2 * i) << 8 | padded.charAt(2 * i + 1));
        }
    }

    @Test
    void a512eDiskWithTrimCacheAndFua() {
        string(10, 10, "INITVMATA0");
        string(23, 4, "2.5+");
        string(27, 20, "INITVM-EMUL-ATA-DISK");
        word(60, 0xFFFF); // 28-bit count, superseded by words 100-103
        word(61, 0x0FFF);
        word(69, 1 << 14 | 1 << 5); // DRAT, RZAT
        word(82, 1 << 5); // volatile write cache supported
        word(83, 1 << 10); // 48-bit addressing
        word(84, 1 << 6 | 1 << 8); // WRITE DMA FUA EXT; WWN present
        word(85, 1 << 5); // write cache enabled
        word(100, 0x0000);
        word(101, 0x0002); // 20000h sectors
        word(105, 8);
        word(106, 0x6003); // valid, several logical per physical, 2^3
        word(108, 0x5000);
        word(109, 0xC500);
        word(110, 0x1234);
        word(111, 0x5678);
        word(169, 1); // TRIM
        word(217, 1); // non-rotating
        AtaIdentify id = AtaIdentify.parse(page);
        assertEquals("INITVM-EMUL-ATA-DISK", id.model());
        assertEquals("INITVMATA0", id.serial());
        assertEquals("2.5+", id.firmware());
        assertEquals(0x20000, id.sectors());
        assertEquals(512, id.logicalSectorSize());
        assertEquals(4096, id.physicalSectorSize());
        assertEquals(64L << 20, id.sizeBytes());
        assertTrue(id.trim());
        assertTrue(id.readZeroesAfterTrim());
        assertEquals(8, id.maxTrimBlocks());
        assertTrue(id.writeCacheSupported() && id.writeCacheEnabled() && id.fua());
        assertFalse(id.rotational());
        assertEquals("5000c50012345678", id.wwn());
    }

    @Test
    void a4knRotatingDiskWithout48BitAddressing() {
        word(60, 0x5000);
        word(61, 0x0001); // 15000h sectors through the 28-bit words
        word(106, 0x5000); // valid, logical sector longer than 256 words
        word(117, 2048); // 2048 words = 4096 bytes
        word(217, 7200);
        AtaIdentify id = AtaIdentify.parse(page);
        assertEquals(0x15000, id.sectors());
        assertEquals(4096, id.logicalSectorSize());
        assertEquals(4096, id.physicalSectorSize());
        assertTrue(id.rotational());
        assertFalse(id.trim() || id.fua() || id.writeCacheEnabled());
        assertEquals("", id.wwn());
    }
}
