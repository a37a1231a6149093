package dev.ferry.core.access;

import java.util.Locale;

/**
 * The access state of a group of target ports for the units behind them, one model for SCSI asymmetric logical unit
 * access (SPC-4 5.15.2) and NVMe asymmetric namespace access (NVMe Base 2.0 8.1.3). Each state carries its code in
 * both protocols:
 *
 * <pre>
 * Ferry state            name (config, CLI)   SPC-4 ASYMMETRIC ACCESS STATE   NVMe ANA state
 * ACTIVE_OPTIMIZED       optimized            0h active/optimized             01h ANA Optimized
 * ACTIVE_NON_OPTIMIZED   non-optimized        1h active/non-optimized         02h ANA Non-Optimized
 * STANDBY                standby              2h standby                      03h ANA Inaccessible
 * UNAVAILABLE            unavailable          3h unavailable                  03h ANA Inaccessible
 * TRANSITIONING          transitioning        Fh transitioning                0Fh ANA Change
 * </pre>
 *
 * NVMe has one inaccessible state where SCSI has two: standby (a passive path that an initiator may activate, and
 * that still answers reservation, mode and log commands) and unavailable (only identification and the ALUA
 * commands). Both refuse media access, so both are ANA Inaccessible; "inaccessible" is accepted as the name of
 * standby. ANA Persistent Loss (04h) and SCSI offline (Eh) / LBA dependent (4h) are not modelled: one node has no
 * way to lose a unit for good, and no unit is split by LBA.
 */
public enum AccessState {
    ACTIVE_OPTIMIZED("optimized", 0x0, 0x01),
    ACTIVE_NON_OPTIMIZED("non-optimized", 0x1, 0x02),
    STANDBY("standby", 0x2, 0x03),
    UNAVAILABLE("unavailable", 0x3, 0x03),
    TRANSITIONING("transitioning", 0xF, 0x0F);

    /** The NVMe name of {@link #STANDBY}, accepted wherever a state is named. */
    public static final String INACCESSIBLE = "inaccessible";
    /** The NVMe name of {@link #TRANSITIONING} (ANA Change), accepted wherever a state is named. */
    public static final String CHANGE = "change";

    private final String label;
    private final int scsiCode;
    private final int anaCode;

    AccessState(String label, int scsiCode, int anaCode) {
        this.label = label;
        this.scsiCode = scsiCode;
        this.anaCode = anaCode;
    }

    /** As written in the configuration and printed by {@code ferry status}. */
    public String label() {
        return label;
    }

    /** SPC-4 6.37 Table 216 ASYMMETRIC ACCESS STATE. */
    public int scsiCode() {
        return scsiCode;
    }

    /** NVMe Base 2.0 Figure 225 ANA State. */
    public int anaCode() {
        return anaCode;
    }

    /** Whether units may be read and written through ports in this state (both active states). */
    public boolean mediaAccessible() {
        return this == ACTIVE_OPTIMIZED || this == ACTIVE_NON_OPTIMIZED;
    }

    /** The state with this name (or the NVMe alias), or null. */
    public static AccessState parse(String name) {
        if (name == null) {
            return null;
        }
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals(INACCESSIBLE)) {
            return STANDBY;
        }
        if (n.equals(CHANGE)) {
            return TRANSITIONING;
        }
        for (AccessState s : values()) {
            if (s.label.equals(n)) {
                return s;
            }
        }
        return null;
    }

    /** The SCSI state with this ASYMMETRIC ACCESS STATE code, or null (offline, LBA dependent, reserved). */
    public static AccessState ofScsiCode(int code) {
        for (AccessState s : values()) {
            if (s.scsiCode == code) {
                return s;
            }
        }
        return null;
    }

    /** Every name a configuration may use, for error messages. */
    public static String names() {
        return "optimized, non-optimized, standby (inaccessible), unavailable, transitioning (change)";
    }
}
