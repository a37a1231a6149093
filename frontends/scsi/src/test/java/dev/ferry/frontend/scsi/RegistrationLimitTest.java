package dev.ferry.frontend.scsi;

import static dev.ferry.frontend.scsi.PersistentReservationsTest.K1;
import static dev.ferry.frontend.scsi.PersistentReservationsTest.K2;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.unit.reservation.UnitReservations;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Registrations outlive their I_T nexus and every new ISID is a new nexus, so one initiator could register without
 * end: a unit keeps at most {@link UnitReservations#MAX_REGISTRATIONS}, and a new one beyond that gets
 * INSUFFICIENT REGISTRATION RESOURCES (SPC-4 5.13.7, 55h/04h) while existing registrants keep working.
 */
class RegistrationLimitTest {
    private final TargetHarness h = new TargetHarness(TargetHarness.disk("d0", 2048));
    private final PrCommands pr = new PrCommands(h);

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    private static ItNexus session(int i) {
        return TargetHarness.nexus("iqn.1994-05.com.redhat:many", 0x23D000000000L + i);
    }

    @Test
    void registrationsAreBounded() {
        for (int i = 0; i < UnitReservations.MAX_REGISTRATIONS; i++) {
            pr.register(session(i), 0, K1).assertGood();
        }
        pr.register(session(UnitReservations.MAX_REGISTRATIONS), 0, K1)
                .assertCheck(SenseData.ILLEGAL_REQUEST, 0x55, 0x04);
        pr.register(session(0), K1, K2).assertGood();            // a registrant changes its key
        pr.register(session(1), K1, 0).assertGood();             // one unregisters, which makes room
        pr.register(session(UnitReservations.MAX_REGISTRATIONS), 0, K1).assertGood();
        assertEquals(UnitReservations.MAX_REGISTRATIONS, pr.readKeys(session(0)).keys().size());
    }
}
