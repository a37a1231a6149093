package dev.ferry.frontend.scsi;

import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.unit.reservation.Registrant;
import dev.ferry.core.unit.reservation.ReservationState;

/**
 * The small logical-unit commands: TEST UNIT READY, REQUEST SENSE, START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL,
 * and SPC-2 RESERVE(6) / RELEASE(6) with their SPC-4 5.13.3 exceptions for persistent reservations.
 */
final class UnitCommands {
    private UnitCommands() {
    }

    /** SPC-4 6.47 TEST UNIT READY: the unit is always ready once the checks before the handler passed. */
    static void testUnitReady(ScsiCommand c) {
        c.good();
    }

    /**
     * SPC-4 6.39 REQUEST SENSE: returns, and thereby clears (SPC-4 5.14), the oldest pending unit attention; else
     * NO SENSE. Addressed to a LUN without a logical unit it reports LOGICAL UNIT NOT SUPPORTED as parameter data
     * with GOOD status. CDB: byte 1 DESC (descriptor format unsupported), byte 4 ALLOCATION LENGTH.
     */
    static void requestSense(ScsiCommand c) {
        int allocationLength = Cdb.u8(c.cdb, 4);
        SenseData sense;
        if (c.lu != null) {
            UnitAttention ua = c.lu.attentions(c.nexus).take();
            sense = ua != null ? ua.sense() : SenseData.NO_SENSE_DATA;
        } else if (c.lun == Luns.REPORT_LUNS_WLUN) {
            sense = SenseData.NO_SENSE_DATA;
        } else {
            sense = SenseData.logicalUnitNotSupported();
        }
        c.dataIn(sense.encode(), allocationLength);
    }

    /**
     * SBC-3 5.25 START STOP UNIT. Byte 1 bit 0 IMMED; byte 4: POWER CONDITION (7-4, only 0h = START_VALID is
     * supported), NO_FLUSH (2), LOEJ (1, no removable medium: unsupported), START (0). Stopping without NO_FLUSH
     * writes the cache to the medium first.
     */
    static void startStopUnit(ScsiCommand c) {
        boolean start = (c.cdb[4] & 0x01) != 0;
        boolean noFlush = (c.cdb[4] & 0x04) != 0;
        if (start || noFlush) {
            c.good();
            return;
        }
        BlockRequest r = BlockIo.acquire(c, null);
        if (r == null) {
            return;
        }
        r.set(BlockOp.FLUSH, 0, 0, null, c.goodWhenDone, null);
        BlockIo.submit(c, r);
    }

    /**
     * SBC-3 5.13 PREVENT ALLOW MEDIUM REMOVAL. Byte 4 bits 1-0 PREVENT. The medium is not removable (RMB=0), so
     * there is nothing to prevent; accepted as a no-op like LIO does.
     */
    static void preventAllow(ScsiCommand c) {
        c.good();
    }

    /**
     * SPC-2 7.22 RESERVE(6): reserves the whole logical unit for this I_T nexus. A conflicting holder was already
     * answered with RESERVATION CONFLICT before this runs; this handles the race of two reserving at once.
     */
    static void reserve(ScsiCommand c) {
        if (answeredForPersistentReservations(c)) {
            return;
        }
        if (c.lu.reserve(c.nexus)) {
            c.good();
        } else {
            c.status(ScsiResponse.RESERVATION_CONFLICT);
        }
    }

    /** SPC-2 7.18 RELEASE(6): releases this nexus's reservation; GOOD also when another nexus (or nobody) holds it. */
    static void release(ScsiCommand c) {
        if (answeredForPersistentReservations(c)) {
            return;
        }
        c.lu.release(c.nexus);
        c.good();
    }

    /**
     * SPC-4 5.13.3 (CRH=1): while any I_T nexus is registered for persistent reservations, RESERVE(6) and RELEASE(6)
     * complete with GOOD and change nothing when they come from the persistent reservation holder, or from a
     * registrant while a registrants-only or all-registrants reservation exists; from anyone else they conflict
     * (SPC-2 5.5.1). Returns whether it answered the command.
     */
    private static boolean answeredForPersistentReservations(ScsiCommand c) {
        ReservationState s = c.lu.reservations.state();
        if (s.registrations().isEmpty()) {
            return false;
        }
        Registrant id = c.nexus.registrant();
        if (s.isHolder(id) || (s.reservation() != null && s.reservation().type().admitsRegistrants()
                && s.registrations().containsKey(id))) {
            c.good();
        } else {
            c.status(ScsiResponse.RESERVATION_CONFLICT);
        }
        return true;
    }
}
