package dev.ferry.frontend.scsi;

/** The unit attention conditions this target establishes (SPC-4 5.14, SAM-5 5.13; ASC/ASCQ from SPC-4 Annex D). */
public enum UnitAttention {
    /** 29h/00h POWER ON, RESET, OR BUS DEVICE RESET OCCURRED. */
    POWER_ON_RESET(0x29, 0x00),
    /** 29h/03h BUS DEVICE RESET FUNCTION OCCURRED (LOGICAL UNIT RESET, SAM-5 7.8). */
    LOGICAL_UNIT_RESET(0x29, 0x03),
    /** 2Ah/01h MODE PARAMETERS CHANGED (another I_T nexus ran MODE SELECT, SPC-4 6.9). */
    MODE_PARAMETERS_CHANGED(0x2A, 0x01),
    /** 2Ah/09h CAPACITY DATA HAS CHANGED (SBC-3 4.10). */
    CAPACITY_DATA_CHANGED(0x2A, 0x09),
    /** 3Fh/0Eh REPORTED LUNS DATA HAS CHANGED (SPC-4 6.33). */
    REPORTED_LUNS_DATA_CHANGED(0x3F, 0x0E);

    private final int asc;
    private final int ascq;

    UnitAttention(int asc, int ascq) {
        this.asc = asc;
        this.ascq = ascq;
    }

    public SenseData sense() {
        return SenseData.of(SenseData.UNIT_ATTENTION, asc, ascq);
    }

    boolean isReset() {
        return asc == 0x29;
    }
}
