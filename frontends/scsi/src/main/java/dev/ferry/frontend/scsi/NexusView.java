package dev.ferry.frontend.scsi;

import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.InitiatorAccess;
import dev.ferry.core.unit.reservation.Registrant;

/**
 * What one I_T nexus sees of a target, and who it is for reservations, worked out once per target and nexus rather
 * than for every command: the LUN mask of the initiator's ACL entry as a bitmap (checked without boxing) and the
 * nexus's {@link Registrant}. A target is replaced by its {@link ScsiTarget#successor} whenever the export's LUN map,
 * ACLs or LUN masks change, and the successor starts without views, so a view never outlives the rules it reflects.
 */
final class NexusView {
    /** Bit n set: LUN n is visible; null: every LUN is (no mask). Empty for an initiator the export does not admit. */
    private final long[] visible;
    private final Registrant registrant;

    private NexusView(long[] visible, Registrant registrant) {
        this.visible = visible;
        this.registrant = registrant;
    }

    static NexusView of(Export export, ItNexus nexus) {
        InitiatorAccess access = export.access(nexus.initiatorName());
        long[] visible;
        if (access == null) {
            visible = new long[0];
        } else if (access.visibleUnits() == null) {
            visible = null;
        } else {
            long highest = access.visibleUnits().stream().mapToLong(Long::longValue)
                    .filter(n -> n >= 0 && n <= ScsiTarget.MAX_LUN).max().orElse(-1);
            visible = new long[highest < 0 ? 0 : (int) (highest >>> 6) + 1];
            for (long n : access.visibleUnits()) {
                if (n >= 0 && n <= highest) {
                    visible[(int) (n >>> 6)] |= 1L << n;
                }
            }
        }
        return new NexusView(visible, nexus.registrant());
    }

    /** Whether the nexus may see LUN {@code lun} (a masked one is absent for it, as LIO's mapped LUNs). */
    boolean sees(long lun) {
        if (visible == null) {
            return true;
        }
        return lun >= 0 && (lun >>> 6) < visible.length && (visible[(int) (lun >>> 6)] & (1L << lun)) != 0;
    }

    /** Whether no mask applies: every LUN of the target is visible. */
    boolean seesAll() {
        return visible == null;
    }

    /** The nexus's identity for persistent and RESERVE(6) reservations ({@link ItNexus#registrant()}). */
    Registrant registrant() {
        return registrant;
    }
}
