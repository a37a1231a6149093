package dev.ferry.core.unit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class UnitIdentityTest {
    @Test
    void sameSeedSameIdentityDifferentSeedDifferent() {
        UnitIdentity a = UnitIdentity.derive("disk0", "RAM DISK");
        assertEquals(a, UnitIdentity.derive("disk0", "RAM DISK"));
        UnitIdentity b = UnitIdentity.derive("disk1", "RAM DISK");
        assertNotEquals(a.naa(), b.naa());
        assertNotEquals(a.serial(), b.serial());
    }

    @Test
    void designatorFormats() {
        UnitIdentity id = UnitIdentity.derive("disk0", "RAM DISK");
        assertEquals(0x3, id.naa() >>> 60, "NAA type 3h, locally assigned (SPC-4 7.8.6.6.3)");
        assertEquals(0x02, (id.eui64() >>> 56) & 0x03, "EUI-64 locally administered, individual");
        assertEquals(16, id.nguid().length);
        assertEquals(5, id.uuid().version());
        assertEquals(2, id.uuid().variant());
        assertEquals(16, id.serial().length());
    }

    @Test
    void deviceIdentityKeepsTheDeviceStringsAndFerrysDesignators() {
        UnitIdentity derived = UnitIdentity.derive("disk0", "EMUL-SCSI-DISK");
        UnitIdentity id = UnitIdentity.ofDevice("disk0", "INITVM", "EMUL-SCSI-DISK", "2.5+", "INITVMSCSI0");
        assertEquals(new UnitIdentity("INITVMSCSI0", derived.naa(), derived.eui64(), derived.nguidHigh(),
                derived.nguidLow(), "INITVM", "EMUL-SCSI-DISK", "2.5+"), id);
    }

    @Test
    void deviceStringsAreClippedToTheirInquiryFieldsAndMadePrintable() {
        UnitIdentity id = UnitIdentity.ofDevice("d", "SEAGATE  X", "ST4000NM0035-1V4107X", "TN05\0", " ZC1\tABC ");
        assertEquals("SEAGATE", id.vendor());
        assertEquals("ST4000NM0035-1V4", id.product());
        assertEquals("TN05", id.revision());
        assertEquals("ZC1ABC", id.serial());
    }

    @Test
    void aLongSerialKeepsItsLastTwentyCharactersABlankOneIsDerived() {
        UnitIdentity id = UnitIdentity.ofDevice("d", "V", "P", "R", "VENDORPREFIX-0123456789ABCDEFGHIJ");
        assertEquals("0123456789ABCDEFGHIJ", id.serial());
        assertEquals(UnitIdentity.MAX_SERIAL, id.serial().length());
        assertEquals(UnitIdentity.derive("d", "P").serial(), UnitIdentity.ofDevice("d", "V", "P", "R", "  ").serial());
        assertEquals(UnitIdentity.VENDOR, UnitIdentity.ofDevice("d", " ", "P", "R", "S").vendor());
    }
}
