package dev.ferry.backend.scsi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.unit.UnitIdentity;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The exported identity of a SCSI passthrough unit, from the device's INQUIRY and VPD responses as bytes. */
class ScsiIdentityTest {
    private static final BackstoreConfig CONFIG =
            new BackstoreConfig("scsi0", "scsi", null, "/dev/sg0", null, null, null, null, null, null);
    /** Standard INQUIRY (SPC-4 table 144) of QEMU's scsi-hd with vendor INITVM, product EMUL-SCSI-DISK. */
    private static final String STANDARD = "00 00 05 12 5B 00 00 02"
            + "494E4954564D2020" // INITVM
            + "454D554C2D534353492D4449534B2020" // EMUL-SCSI-DISK
            + "322E352B"; // 2.5+
    /** READ CAPACITY(16): last LBA 1FFFFh, 512-byte blocks. */
    private static final String CAPACITY = "000000000001FFFF 00000200 00 00 0000" + "00".repeat(16);

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
    }

    private static ScsiDescription device(String serialPage, String idPage) {
        return new ScsiDescription(Inquiry.Standard.parse(hex(STANDARD + "00".repeat(60))),
                Inquiry.unitSerial(hex(serialPage)), Inquiry.logicalUnitDesignator(hex(idPage)),
                Capacity16.parse(hex(CAPACITY)), BlockLimits.NONE, Provisioning.NONE,
                new ModeSense.Caching(false, true), false);
    }

    @Test
    void inquiryStringsAndUnitSerialAreTheDevicesDesignatorsStayFerrys() throws Exception {
        // VPD 80h "INITVMSCSI0"; VPD 83h with the device's own NAA 5h designator
        ScsiDescription d = device("00 80 000B 494E4954564D5343534930", "00 83 000C 01 03 00 08 5000C50012345678");
        assertEquals("naa.5000c50012345678", d.designator());
        UnitIdentity id = ScsiBackendFactory.descriptor(CONFIG, Path.of("/dev/sg0"), d, 1 << 20).identity();
        assertEquals("INITVM", id.vendor());
        assertEquals("EMUL-SCSI-DISK", id.product());
        assertEquals("2.5+", id.revision());
        assertEquals("INITVMSCSI0", id.serial());
        UnitIdentity derived = UnitIdentity.derive("scsi0", "EMUL-SCSI-DISK");
        assertEquals(derived.naa(), id.naa(), "the device's NAA is not reused for a different logical unit");
        assertEquals(derived.eui64(), id.eui64());
    }

    @Test
    void aDeviceWithoutSerialPageGetsTheDerivedSerialALongSerialItsTail() throws Exception {
        ScsiDescription none = device("00 80 0000", "00 83 0000");
        assertEquals(UnitIdentity.derive("scsi0", "EMUL-SCSI-DISK").serial(),
                ScsiBackendFactory.descriptor(CONFIG, Path.of("/dev/sg0"), none, 1 << 20).identity().serial());
        // 25 characters and two spaces of padding: more than NVMe's 20-character SN holds
        ScsiDescription sas = device("00 80 001B 534541474154452D53542D5A43313233343536373839304142 2020", "00 83 0000");
        assertEquals("SEAGATE-ST-ZC1234567890AB", sas.serial());
        assertEquals("TE-ST-ZC1234567890AB",
                ScsiBackendFactory.descriptor(CONFIG, Path.of("/dev/sg0"), sas, 1 << 20).identity().serial());
    }
}
