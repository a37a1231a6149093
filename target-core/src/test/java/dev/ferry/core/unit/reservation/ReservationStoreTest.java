package dev.ferry.core.unit.reservation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.ferry.core.unit.reservation.ReservationState.Registration;
import dev.ferry.core.unit.reservation.ReservationState.Reservation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * APTPL files are per unit and never collide: backstore names that differ only where a file name cannot hold a
 * character ("a:b", "a_b") get distinct files, and saving one unit's state leaves the other's and no temporary
 * file behind.
 */
class ReservationStoreTest {
    static final Registrant SCSI = new Registrant("iqn.1994-05.com.redhat:a,i,0x23d000000001",
            "iqn.1994-05.com.redhat:a", "iqn.2026-01.dev.ferry:disk,t,0x0001", 1);
    static final Registrant HOST = Registrant.nvmeHost("nqn.2014-08.org.nvmexpress:uuid:1",
            java.util.UUID.fromString("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"));

    @TempDir
    Path dir;

    @Test
    void twoUnitsKeepTwoFilesThatRoundTrip() throws Exception {
        ReservationStore colon = new ReservationStore(dir, "a:b");
        ReservationStore underscore = new ReservationStore(dir, "a_b");
        assertNotEquals(colon.file(), underscore.file());

        ReservationState one = new ReservationState(3, true, Map.of(SCSI, new Registration(0x11)),
                new Reservation(ReservationType.WRITE_EXCLUSIVE, SCSI));
        ReservationState two = new ReservationState(7, true, Map.of(HOST, new Registration(-2L)),
                new Reservation(ReservationType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS, null));
        colon.save(one);
        underscore.save(two);
        colon.save(one); // replacing a file leaves no temporary one behind

        assertEquals(one, new ReservationStore(dir, "a:b").load());
        assertEquals(two, new ReservationStore(dir, "a_b").load());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(colon.file(), underscore.file()), files.sorted().toList());
        }
        colon.delete();
        assertEquals(ReservationState.EMPTY, new ReservationStore(dir, "a:b").load());
        assertEquals(two, new ReservationStore(dir, "a_b").load());
    }
}
