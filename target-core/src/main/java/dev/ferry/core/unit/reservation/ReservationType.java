package dev.ferry.core.unit.reservation;

/**
 * The six reservation types, the same in SPC-4 (5.13.1 Table 66) and NVMe (Base 2.0 8.19 Figure 447), and what each
 * means for access. "Registrants only" types have one holder but admit every registrant; "all registrants" types
 * make every registrant a holder. {@link #code} is the SPC-4 TYPE value (6.15.3.3 Table 175), which is also how the
 * type is saved; NVMe numbers them differently (1-6) and maps by name.
 */
public enum ReservationType {
    WRITE_EXCLUSIVE(0x1),
    EXCLUSIVE_ACCESS(0x3),
    WRITE_EXCLUSIVE_REGISTRANTS_ONLY(0x5),
    EXCLUSIVE_ACCESS_REGISTRANTS_ONLY(0x6),
    WRITE_EXCLUSIVE_ALL_REGISTRANTS(0x7),
    EXCLUSIVE_ACCESS_ALL_REGISTRANTS(0x8);

    public final int code;

    ReservationType(int code) {
        this.code = code;
    }

    /** The type for an SPC-4 TYPE value, or null for a reserved or obsolete value. */
    public static ReservationType of(int code) {
        for (ReservationType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /** Reads are reserved too, not only writes. */
    public boolean exclusiveAccess() {
        return this == EXCLUSIVE_ACCESS || this == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY
                || this == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }

    public boolean registrantsOnly() {
        return this == WRITE_EXCLUSIVE_REGISTRANTS_ONLY || this == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY;
    }

    public boolean allRegistrants() {
        return this == WRITE_EXCLUSIVE_ALL_REGISTRANTS || this == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }

    /** Registered initiators that do not hold the reservation still have access. */
    public boolean admitsRegistrants() {
        return registrantsOnly() || allRegistrants();
    }
}
