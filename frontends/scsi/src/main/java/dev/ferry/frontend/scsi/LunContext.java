package dev.ferry.frontend.scsi;

import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.WriteCache;
import dev.ferry.core.unit.reservation.Registrant;
import dev.ferry.core.unit.reservation.ReservationEvent;
import dev.ferry.core.unit.reservation.ReservationListener;
import dev.ferry.core.unit.reservation.UnitReservations;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SCSI view of one core {@link LogicalUnit} in one target: its LUN, limits, unit attentions per I_T nexus and
 * the software write protect bit. The reservations (persistent and RESERVE(6)) and the write cache setting belong
 * to the unit itself (shared with other targets and with NVMe); this context translates reservation
 * events for registrants that reach the unit through this target into unit attentions. Shared by every connection;
 * thread-safe.
 */
final class LunContext implements ReservationListener, WriteCache.Listener {
    final long lun;
    final LogicalUnit unit;
    final BackendDescriptor descriptor;
    final BlockLimits limits;
    final PersistentReservations reservations;

    private final ConcurrentHashMap<ItNexus, UnitAttentions> attentions = new ConcurrentHashMap<>();
    /** The target's I_T nexuses (shared with it): where a registrant's unit attentions go. */
    private final Set<ItNexus> nexuses;
    /**
     * Unit attentions for registrants with no nexus here at the time (restored by APTPL, or between a lost session
     * and its next login), handed over when one sends its first command. At most one entry per registration the
     * unit can hold, so a stream of preempted registrants that never return cannot grow it.
     */
    private final ConcurrentHashMap<Registrant, UnitAttentions> unclaimed = new ConcurrentHashMap<>();
    /** Control mode page SWP (SPC-4 7.5.8), current value. */
    private volatile boolean softwareWriteProtected;

    /** @param nexuses the target's known I_T nexuses, which it keeps up to date */
    LunContext(long lun, LogicalUnit unit, Set<ItNexus> nexuses) {
        this.lun = lun;
        this.unit = unit;
        this.descriptor = unit.descriptor();
        this.limits = BlockLimits.of(descriptor);
        this.nexuses = nexuses;
        this.reservations = new PersistentReservations(unit.name(), unit.reservations());
        unit.reservations().addListener(this); // held weakly: nothing to undo when a reconfiguration drops this
        unit.writeCache().addListener(this);
    }

    /**
     * The unit's write cache setting changed (through any target or protocol): SPC-4 6.9.1 MODE PARAMETERS CHANGED
     * for every nexus of this target but the one that changed it.
     */
    @Override
    public void changed(Object changer) {
        for (ItNexus n : nexuses) {
            if (!n.equals(changer)) {
                attentions(n).establish(UnitAttention.MODE_PARAMETERS_CHANGED);
            }
        }
    }

    /**
     * A reservation change (made through any target or protocol) concerns {@code registrant}: every nexus of this
     * target that is that registrant gets the matching unit attention (SPC-4 5.13).
     */
    @Override
    public void notify(Registrant registrant, ReservationEvent event) {
        if (registrant.isNvmeHost()) {
            return; // never a nexus of a SCSI target: kept unclaimed, it would take the place of a SCSI initiator's
        }
        UnitAttention ua = switch (event) {
            case REGISTRATION_PREEMPTED -> UnitAttention.REGISTRATIONS_PREEMPTED;
            case RESERVATION_RELEASED -> UnitAttention.RESERVATIONS_RELEASED;
            case RESERVATION_PREEMPTED -> UnitAttention.RESERVATIONS_PREEMPTED;
        };
        boolean delivered = false;
        for (ItNexus n : nexuses) {
            if (n.registrant().equals(registrant)) {
                attentions(n).establish(ua);
                delivered = true;
            }
        }
        if (!delivered && (unclaimed.containsKey(registrant)
                || unclaimed.size() < UnitReservations.MAX_REGISTRATIONS)) {
            unclaimed.computeIfAbsent(registrant, r -> new UnitAttentions()).establish(ua);
        }
    }

    /** A nexus sends a command here: conditions kept for its registrant while it had no nexus become its own. */
    void claim(ItNexus nexus) {
        if (unclaimed.isEmpty()) {
            return;
        }
        UnitAttentions kept = unclaimed.remove(nexus.registrant());
        if (kept != null) {
            UnitAttentions mine = attentions(nexus);
            for (UnitAttention ua = kept.take(); ua != null; ua = kept.take()) {
                mine.establish(ua);
            }
        }
    }

    /** From the unit each time: a live resize changes it (and only it) under a running target. */
    long capacity() {
        return unit.descriptor().capacityBlocks();
    }

    int blockSize() {
        return descriptor.logicalBlockSize();
    }

    // ---- unit attentions ----

    UnitAttentions attentions(ItNexus nexus) {
        return attentions.computeIfAbsent(nexus, n -> new UnitAttentions());
    }

    /** Establishes {@code ua} for every nexus in {@code nexuses} except {@code except} (which may be null). */
    void establish(Iterable<ItNexus> nexuses, ItNexus except, UnitAttention ua) {
        for (ItNexus n : nexuses) {
            if (!n.equals(except)) {
                attentions(n).establish(ua);
            }
        }
    }

    void forget(ItNexus nexus) {
        attentions.remove(nexus);
        release(nexus);
    }

    // ---- SPC-2 RESERVE(6) / RELEASE(6): the unit's, so other targets and NVMe obey it too ----

    /** True when another I_T nexus (through any target) or another protocol's initiator holds it (SPC-2 5.5.1). */
    boolean reservedByOther(Registrant nexus) {
        Registrant holder = unit.reservations().exclusiveHolder();
        return holder != null && !holder.equals(nexus);
    }

    /** Reserves for {@code nexus}; false when another nexus holds it. A holder may reserve again. */
    boolean reserve(ItNexus nexus) {
        return unit.reservations().reserveExclusive(nexus.registrant());
    }

    /** SPC-2 7.21: releasing a reservation held by another nexus, or none, is not an error and changes nothing. */
    void release(ItNexus nexus) {
        unit.reservations().releaseExclusive(nexus.registrant());
    }

    void clearReservation() {
        unit.reservations().clearExclusive();
    }

    Registrant reservationHolder() {
        return unit.reservations().exclusiveHolder();
    }

    // ---- mode parameters ----

    /**
     * Caching mode page WCE (SBC-3 6.4.5): the unit's write cache setting, which NVMe's Volatile Write Cache feature
     * shares. Changeable only where a volatile cache exists for it to switch.
     */
    boolean writeCacheChangeable() {
        return unit.writeCache().present();
    }

    boolean defaultWriteCacheEnabled() {
        return unit.writeCache().defaultEnabled();
    }

    boolean writeCacheEnabled() {
        return unit.writeCache().enabled();
    }

    void setWriteCacheEnabled(boolean wce, ItNexus changer) {
        unit.writeCache().setEnabled(wce, changer);
    }

    boolean softwareWriteProtected() {
        return softwareWriteProtected;
    }

    void setSoftwareWriteProtected(boolean swp) {
        this.softwareWriteProtected = swp;
    }

    /** Whether commands that write the medium are refused: a read-only backstore, or SWP set. */
    boolean writeProtected() {
        return descriptor.readOnly() || softwareWriteProtected;
    }

    /** A logical unit reset returns mode parameters to their saved values, here the defaults (SPC-4 7.5.1). */
    void resetModeParameters() {
        unit.writeCache().reset();
        this.softwareWriteProtected = false;
    }
}
