package dev.ferry.backend.ata;

import java.nio.charset.StandardCharsets;

/**
 * IDENTIFY DEVICE data (ACS-3 7.12.7, table 45): 256 little-endian words. Strings hold two characters per word,
 * the first in the high byte.
 *
 * @param model               words 27-46 MODEL NUMBER
 * @param serial              words 10-19 SERIAL NUMBER
 * @param firmware            words 23-26 FIRMWARE REVISION
 * @param productRevision     the 4 characters a SAT layer reports as INQUIRY PRODUCT REVISION LEVEL: words 25-26, or
 *                            words 23-24 where those are blank (SAT-3 10.4.2, as libata's ata_scsiop_inq_std)
 * @param sectors             words 100-103 (48-bit) or 60-61 (28-bit) number of user addressable logical sectors
 * @param logicalSectorSize   words 117-118 (in words) when word 106 bit 12 says so, else 512
 * @param physicalSectorSize  logical size << word 106 bits 3:0 when word 106 bit 13 is set
 * @param trim                word 169 bit 0: DATA SET MANAGEMENT TRIM supported
 * @param readZeroesAfterTrim word 69 bit 5 (RZAT) with bit 14 (DRAT): trimmed sectors read zeroes
 * @param maxTrimBlocks       word 105: most 512-byte blocks of ranges per DATA SET MANAGEMENT, 0 if not reported
 * @param writeCacheSupported word 82 bit 5: volatile write cache supported
 * @param writeCacheEnabled   word 85 bit 5: volatile write cache enabled
 * @param fua                 word 84 bit 6: WRITE DMA FUA EXT supported
 * @param rotational          word 217 NOMINAL MEDIA ROTATION RATE above 1 (1 = non-rotating, 0 = not reported)
 * @param wwn                 words 108-111 world wide name as 16 hex digits (NAA 5), "" when absent
 */
public record AtaIdentify(
        String model,
        String serial,
        String firmware,
        String productRevision,
        long sectors,
        int logicalSectorSize,
        int physicalSectorSize,
        boolean trim,
        boolean readZeroesAfterTrim,
        int maxTrimBlocks,
        boolean writeCacheSupported,
        boolean writeCacheEnabled,
        boolean fua,
        boolean rotational,
        String wwn) {

    public static final int LENGTH = 512;

    public static AtaIdentify parse(byte[] d) {
        boolean lba48 = bit(d, 83, 10);
        long sectors = lba48
                ? word(d, 100) | (long) word(d, 101) << 16 | (long) word(d, 102) << 32 | (long) word(d, 103) << 48
                : word(d, 60) | (long) word(d, 61) << 16;
        int w106 = word(d, 106);
        boolean w106Valid = (w106 & 0xC000) == 0x4000; // bit 15 zero, bit 14 one
        int logical = w106Valid && (w106 & 0x1000) != 0 ? 2 * (word(d, 117) | word(d, 118) << 16) : 512;
        int physical = w106Valid && (w106 & 0x2000) != 0 ? logical << (w106 & 0xF) : logical;
        boolean wwnPresent = bit(d, 84, 8) && word(d, 108) != 0;
        return new AtaIdentify(
                string(d, 27, 20), string(d, 10, 10), string(d, 23, 4), productRevision(d), sectors, logical, physical,
                bit(d, 169, 0), bit(d, 69, 5) && bit(d, 69, 14), word(d, 105),
                bit(d, 82, 5), bit(d, 85, 5), bit(d, 84, 6), word(d, 217) > 1,
                wwnPresent ? String.format("%04x%04x%04x%04x", word(d, 108), word(d, 109), word(d, 110), word(d, 111))
                        : "");
    }

    private static String productRevision(byte[] d) {
        String last = string(d, 25, 2);
        return last.isEmpty() ? string(d, 23, 2) : last;
    }

    public long sizeBytes() {
        return sectors * logicalSectorSize;
    }

    static int word(byte[] d, int w) {
        return (d[2 * w] & 0xff) | (d[2 * w + 1] & 0xff) << 8;
    }

    private static boolean bit(byte[] d, int w, int bit) {
        return (word(d, w) & (1 << bit)) != 0;
    }

    /** ATA strings: each word's high byte is the first character (ACS-3 3.4.9). */
    static String string(byte[] d, int firstWord, int words) {
        byte[] s = new byte[2 * words];
        for (int i = 0; i < words; i++) {
            int w = word(d, firstWord + i);
            s[2 * i] = (byte) (w >>> 8);
            s[2 * i + 1] = (byte) w;
        }
        return new String(s, StandardCharsets.US_ASCII).replace('\0', ' ').trim();
    }
}
