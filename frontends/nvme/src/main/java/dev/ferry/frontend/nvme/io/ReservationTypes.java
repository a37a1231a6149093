package dev.ferry.frontend.nvme.io;

import dev.ferry.core.unit.reservation.ReservationType;

/**
 * NVMe reservation type codes (Base 2.0 7.6 Figure 389 RTYPE, 8.19 Figure 447), mapped by name to the core's types:
 * the six types mean the same as their SPC-4 namesakes, only the numbers differ (SPC-4 1h/3h/5h/6h/7h/8h).
 */
public final class ReservationTypes {
    /** In the Reservation Report header: no reservation. */
    public static final int NONE = 0;

    private ReservationTypes() {
    }

    /** The type for an RTYPE value, or null for 0 and the reserved values 7h-FFh. */
    public static ReservationType of(int rtype) {
        return switch (rtype) {
            case 1 -> ReservationType.WRITE_EXCLUSIVE;
            case 2 -> ReservationType.EXCLUSIVE_ACCESS;
            case 3 -> ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY;
            case 4 -> ReservationType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY;
            case 5 -> ReservationType.WRITE_EXCLUSIVE_ALL_REGISTRANTS;
            case 6 -> ReservationType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
            default -> null;
        };
    }

    public static int code(ReservationType t) {
        return switch (t) {
            case WRITE_EXCLUSIVE -> 1;
            case EXCLUSIVE_ACCESS -> 2;
            case WRITE_EXCLUSIVE_REGISTRANTS_ONLY -> 3;
            case EXCLUSIVE_ACCESS_REGISTRANTS_ONLY -> 4;
            case WRITE_EXCLUSIVE_ALL_REGISTRANTS -> 5;
            case EXCLUSIVE_ACCESS_ALL_REGISTRANTS -> 6;
        };
    }
}
