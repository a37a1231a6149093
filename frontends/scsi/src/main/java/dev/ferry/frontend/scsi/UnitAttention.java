package dev.ferry.frontend.scsi;

/** The unit attention conditions this target establishes (SPC-4 5.14, SAM-5 5.13; ASC/ASCQ from SPC-4 Annex D). */
public enum UnitAttention {
    /** 29h/00h POWER ON, RESET, OR BUS DEVICE RESET OCCURRED. */
    POWER_ON_RESET(0x29, 0x00),
    /** 29h/03h BUS DEVICE RESET FUNCTION OCCURRED (LOGICAL UNIT RESET, SAM-5 7.8). */
    LOGICAL_UNIT_RESET(0x29, 0x03),
    /** 2Ah/01h MODE PARAMETERS CHANGED (another I_T nexus ran MODE SELECT, SPC-4 6.9). */
    MODE_PARAMETERS_CHANGED(0x2A, 0x01),
    /** 2Ah/03h RESERVATIONS PREEMPTED (PR OUT CLEAR by another I_T nexus, SPC-4 5.13.11.3). */
    RESERVATIONS_PREEMPTED(0x2A, 0x03),
    /** 2Ah/04h RESERVATIONS RELEASED (a registrants-only or all-registrants reservation ended, SPC-4 5.13.11.2). */
    RESERVATIONS_RELEASED(0x2A, 0x04),
    /** 2Ah/05h REGISTRATIONS PREEMPTED (PR OUT PREEMPT removed this nexus's registration, SPC-4 5.13.11.4). */
    REGISTRATIONS_PREEMPTED(0x2A, 0x05),
    /** 2Ah/06h ASYMMETRIC ACCESS STATE CHANGED (SPC-4 5.15.2.5). */
    ASYMMETRIC_ACCESS_STATE_CHANGED(0x2A, 0x06),
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
