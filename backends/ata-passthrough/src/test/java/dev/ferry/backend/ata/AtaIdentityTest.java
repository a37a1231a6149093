package dev.ferry.backend.ata;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.unit.UnitIdentity;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The exported identity of an ATA passthrough unit from IDENTIFY DEVICE bytes, mapped as SAT-3 10.4.2 and libata
 * do. The strings are laid out as the device sends them: little-endian words with the first character of each
 * pair in the high byte, so "INITVMATA0" arrives as "NITIMVTA0A".
 */
class AtaIdentityTest {
    private static final BackstoreConfig CONFIG =
            new BackstoreConfig("ata0", "ata", null, "/dev/sg1", null, null, null, null, null, null);

    private static byte[] identify(String serialWire, String firmwareWire, String modelWire) {
        byte[] d = new byte[AtaIdentify.LENGTH];
        put(d, 10, 20, serialWire);
        put(d, 23, 8, firmwareWire);
        put(d, 27, 40, modelWire);
        d[2 * 60] = 0x00; // 28-bit sector count 20000h: 64 MiB
        d[2 * 61 + 0] = 0x02;
        return d;
    }

    /** Copies {@code wire} (already byte-swapped) to word {@code word}, padded with spaces to {@code bytes}. */
    private static void put(byte[] d, int word, int bytes, String wire) {
        byte[] s = String.format("%-" + bytes + "s", wire).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, d, 2 * word, bytes);
    }

    @Test
    void qemuIdeDiskShowsAsLibataShowsIt() {
        AtaIdentify id = AtaIdentify.parse(identify("NITIMVTA0A", ".2+5", "NITIMVE-UM-LTA-AIDKS"));
        assertEquals("INITVMATA0", id.serial());
        assertEquals("INITVM-EMUL-ATA-DISK", id.model());
        assertEquals(64L << 20, id.sizeBytes());
        UnitIdentity u = AtaBackendFactory.identity(CONFIG, id);
        assertEquals("ATA", u.vendor());
        assertEquals("INITVM-EMUL-ATA-", u.product(), "the model's first 16 characters");
        assertEquals("2.5+", u.revision(), "words 25-26 are blank: the firmware's first four characters");
        assertEquals("INITVMATA0", u.serial());
        assertEquals(UnitIdentity.derive("ata0", "INITVM-EMUL-ATA-").naa(), u.naa());
    }

    @Test
    void revisionIsTheLastFourFirmwareCharactersAndSerialPaddingGoes() {
        // firmware "SN04CC45", model "ST4000NM0035-1V4107", serial "ZC1ABC23" right-aligned as many drives send it
        AtaIdentify id = AtaIdentify.parse(identify("      CZA1CB32", "NS40CC54", "TS0400MN00531-4V01 7"));
        UnitIdentity u = AtaBackendFactory.identity(CONFIG, id);
        assertEquals("ST4000NM0035-1V4", u.product());
        assertEquals("CC45", u.revision());
        assertEquals("ZC1ABC23", u.serial());
    }
}
