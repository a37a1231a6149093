package dev.ferry.frontend.scsi;

import dev.ferry.core.unit.reservation.Registrant;
import dev.ferry.core.unit.reservation.ReservationState;

/**
 * Which commands a persistent reservation lets through (SPC-4 5.13.1 Table 66, SBC-3 4.17 Table 13). Every command
 * of the table is in one of three classes, marked in {@link CommandSet}:
 * <ul>
 *   <li>neither flag: allowed under every type (INQUIRY, REPORT LUNS, REQUEST SENSE, TEST UNIT READY, READ
 *       CAPACITY, REPORT SUPPORTED OPERATION CODES, REPORT TARGET PORT GROUPS, and PERSISTENT RESERVE IN/OUT,
 *       whose service actions check for themselves);</li>
 *   <li>{@link CommandSet#PR_READ} (READ, VERIFY, PRE-FETCH, MODE SENSE): conflicts only under the Exclusive
 *       Access types;</li>
 *   <li>{@link CommandSet#PR_WRITE} (writes, UNMAP, SYNCHRONIZE CACHE, MODE SELECT, and START STOP UNIT and
 *       PREVENT ALLOW MEDIUM REMOVAL in their stopping or preventing forms): conflicts under every type.</li>
 * </ul>
 * The holder is never in conflict; under the registrants-only and all-registrants types no registered I_T nexus is.
 * RESERVE(6) and RELEASE(6) follow their own rule (SPC-4 5.13.3, in {@link UnitCommands}).
 */
final class ReservationConflicts {
    private ReservationConflicts() {
    }

    static boolean conflicts(CommandSet.OpSpec spec, byte[] cdb, ReservationState s, Registrant nexus) {
        if (s.reservation() == null || !(spec.is(CommandSet.PR_READ) || spec.is(CommandSet.PR_WRITE))
                || exempt(cdb)) {
            return false;
        }
        return s.conflicts(nexus, spec.is(CommandSet.PR_WRITE));
    }

    /**
     * SBC-3 Table 13: START STOP UNIT with START=1 and POWER CONDITION 0h, and PREVENT ALLOW MEDIUM REMOVAL with
     * PREVENT=00b, are allowed under every type; their other forms are writes.
     */
    private static boolean exempt(byte[] cdb) {
        return switch (cdb[0] & 0xFF) {
            case 0x1B -> (cdb[4] & 0x01) != 0 && (cdb[4] & 0xF0) == 0;
            case 0x1E -> (cdb[4] & 0x03) == 0;
            default -> false;
        };
    }
}
