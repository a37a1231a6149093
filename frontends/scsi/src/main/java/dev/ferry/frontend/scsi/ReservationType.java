package dev.ferry.frontend.scsi;

/**
 * SPC-4 6.15.3.3 Table 175: the TYPE field of a persistent reservation, and what each type means for access
 * (SPC-4 5.13.1). "Registrants only" types have one holder but admit every registrant; "all registrants" types make
 * every registrant a holder.
 */
enum ReservationType {
    WRITE_EXCLUSIVE(0x1),
    EXCLUSIVE_ACCESS(0x3),
    WRITE_EXCLUSIVE_REGISTRANTS_ONLY(0x5),
    EXCLUSIVE_ACCESS_REGISTRANTS_ONLY(0x6),
    WRITE_EXCLUSIVE_ALL_REGISTRANTS(0x7),
    EXCLUSIVE_ACCESS_ALL_REGISTRANTS(0x8);

    final int code;

    ReservationType(int code) {
        this.code = code;
    }

    /** The type for a TYPE field value, or null for a reserved or obsolete value. */
    static ReservationType of(int code) {
        for (ReservationType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /** Reads are reserved too, not only writes. */
    boolean exclusiveAccess() {
        return this == EXCLUSIVE_ACCESS || this == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY
                || this == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }

    boolean registrantsOnly() {
        return this == WRITE_EXCLUSIVE_REGISTRANTS_ONLY || this == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY;
    }

    boolean allRegistrants() {
        return this == WRITE_EXCLUSIVE_ALL_REGISTRANTS || this == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }

    /** Registered I_T nexuses that do not hold the reservation still have access (SPC-4 5.13.1 Table 66). */
    boolean admitsRegistrants() {
        return registrantsOnly() || allRegistrants();
    }

    /**
     * The bit of this type in the PERSISTENT RESERVATION TYPE MASK of REPORT CAPABILITIES (SPC-4 6.15.4, bytes 4-5
     * read as one big-endian 16-bit field): WR_EX_AR 8000h, EX_AC_RO 4000h, WR_EX_RO 2000h, EX_AC 0800h,
     * WR_EX 0200h, EX_AC_AR 0001h.
     */
    int typeMaskBit() {
        return switch (this) {
            case WRITE_EXCLUSIVE -> 0x0200;
            case EXCLUSIVE_ACCESS -> 0x0800;
            case WRITE_EXCLUSIVE_REGISTRANTS_ONLY -> 0x2000;
            case EXCLUSIVE_ACCESS_REGISTRANTS_ONLY -> 0x4000;
            case WRITE_EXCLUSIVE_ALL_REGISTRANTS -> 0x8000;
            case EXCLUSIVE_ACCESS_ALL_REGISTRANTS -> 0x0001;
        };
    }
}
