package dev.ferry.frontend.scsi;

import dev.ferry.core.access.AccessLayout;
import dev.ferry.core.access.AccessState;

/**
 * Asymmetric logical unit access (SPC-4 5.15) as the command set enforces it: the state of the target port group a
 * command came in through decides which commands the logical unit serves there. The states live in the core
 * ({@link dev.ferry.core.access.AccessGroups}); a nexus's group is its port's TARGET PORT GROUP.
 *
 * <pre>
 * state            served (SPC-4)                                           others: NOT READY, LOGICAL UNIT NOT
 * active/*         every command                                            ACCESSIBLE, ...
 * standby          INQUIRY, MODE SENSE/SELECT, PR IN/OUT, REPORT LUNS,      TARGET PORT IN STANDBY STATE (04h/0Bh)
 *                  RTPG, STPG, REQUEST SENSE (5.15.2.4.4)
 * unavailable      INQUIRY, REPORT LUNS, RTPG, STPG, REQUEST SENSE          TARGET PORT IN UNAVAILABLE STATE (04h/0Ch)
 *                  (5.15.2.4.5)
 * transitioning    INQUIRY, REPORT LUNS, RTPG, REQUEST SENSE (5.15.2.6)     ASYMMETRIC ACCESS STATE TRANSITION (04h/0Ah)
 * </pre>
 *
 * LOG SENSE/SELECT, diagnostics and the echo buffer modes of READ/WRITE BUFFER, which SPC-4 also lists, are not
 * implemented by this target at all.
 */
final class AsymmetricAccess {
    static final int ASC_LOGICAL_UNIT_NOT_ACCESSIBLE = 0x04;
    static final int ASCQ_TRANSITION = 0x0A;
    static final int ASCQ_STANDBY = 0x0B;
    static final int ASCQ_UNAVAILABLE = 0x0C;

    private AsymmetricAccess() {
    }

    /** The state of the target port group of this command's nexus. */
    static AccessState state(ScsiCommand c) {
        return state(c.target.export().accessGroups().layout(), c.nexus.port());
    }

    static AccessState state(AccessLayout layout, ScsiPort port) {
        AccessLayout.Group g = port == null ? null : layout.group(port.targetPortGroup());
        return (g != null ? g : layout.groupOf(null)).state();
    }

    /** Ends the command with NOT READY when its port group's state does not serve it. */
    static void check(ScsiCommand c, CommandSet.OpSpec spec) {
        AccessState s = state(c);
        if (s.mediaAccessible() || served(s, spec)) {
            return;
        }
        int ascq = switch (s) {
            case STANDBY -> ASCQ_STANDBY;
            case UNAVAILABLE -> ASCQ_UNAVAILABLE;
            default -> ASCQ_TRANSITION;
        };
        throw new CheckCondition(SenseData.of(SenseData.NOT_READY, ASC_LOGICAL_UNIT_NOT_ACCESSIBLE, ascq));
    }

    private static boolean served(AccessState s, CommandSet.OpSpec spec) {
        int op = spec.opcode();
        boolean always = op == 0x12 || op == 0xA0 || op == 0x03 // INQUIRY, REPORT LUNS, REQUEST SENSE
                || (op == 0xA3 && spec.serviceAction() == TargetPortGroups.SERVICE_ACTION);
        if (always) {
            return true;
        }
        boolean stpg = op == 0xA4 && spec.serviceAction() == SetTargetPortGroups.SERVICE_ACTION;
        return switch (s) {
            case STANDBY -> stpg || op == 0x15 || op == 0x55 || op == 0x1A || op == 0x5A || op == 0x5E || op == 0x5F;
            case UNAVAILABLE -> stpg;
            default -> false;
        };
    }
}
