package dev.ferry.backend.ata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** ATA PASS-THROUGH(16) taskfiles (SAT-3 table 160) and TRIM payloads (ACS-3 table 36), byte for byte. */
class AtaEncodingTest {
    private final byte[] cdb = new byte[16];

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
    }

    @Test
    void identifyDeviceAsSgSatIdentifySendsIt() {
        // PIO Data-In (4 << 1), T_DIR|BYT_BLOK|T_LENGTH=COUNT (0Eh), COUNT 1, command ECh
        assertArrayEquals(hex("85 08 0E 0000 0001 0000 0000 0000 00 EC 00"), AtaPassThrough16.identifyDevice(cdb));
    }

    @Test
    void readDmaExtSpreadsThe48BitLbaOverTheTaskfile() {
        // DMA (6 << 1) | EXTEND; T_TYPE|T_DIR|BYT_BLOK|T_LENGTH=COUNT (1Eh); COUNT 0100h;
        // LBA 123456789ABCh: (31:24)=56 (7:0)=BC (39:32)=34 (15:8)=9A (47:40)=12 (23:16)=78; DEVICE 40h (LBA)
        assertArrayEquals(hex("85 0D 1E 0000 0100 56BC 349A 1278 40 25 00"),
                AtaPassThrough16.readDmaExt(cdb, 0x123456789ABCL, 0x100));
    }

    @Test
    void writesWithAndWithoutFua() {
        assertArrayEquals(hex("85 0D 16 0000 0008 0000 0000 0010 40 35 00"), AtaPassThrough16.writeDmaExt(cdb, 0x100000, 8, false));
        assertArrayEquals(hex("85 0D 16 0000 0008 0000 0000 0010 40 3D 00"), AtaPassThrough16.writeDmaExt(cdb, 0x100000, 8, true));
    }

    @Test
    void flushAndTrim() {
        assertArrayEquals(hex("85 07 00 0000 0000 0000 0000 0000 00 EA 00"), AtaPassThrough16.flushCacheExt(cdb));
        // DMA out, BYT_BLOK|T_LENGTH=COUNT (06h), FEATURES 0001h (TRIM), COUNT = 2 blocks of ranges, command 06h
        assertArrayEquals(hex("85 0D 06 0001 0002 0000 0000 0000 40 06 00"), AtaPassThrough16.dataSetManagementTrim(cdb, 2));
    }

    @Test
    void trimRangeEntriesAreLittleEndian() {
        byte[] list = new byte[16];
        TrimRanges.entry(list, 0, 0x123456789ABCL, 8);
        TrimRanges.entry(list, 1, 0, TrimRanges.MAX_RANGE);
        assertArrayEquals(hex("BC9A785634120800 000000000000FFFF"), list);
        assertArrayEquals(new int[] {1, 1, 2}, new int[] {TrimRanges.blocks(1), TrimRanges.blocks(64), TrimRanges.blocks(65)});
    }
}
