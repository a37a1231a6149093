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
}
