package dev.ferry.core.unit.reservation;

import dev.ferry.core.unit.reservation.ReservationState.Registration;
import dev.ferry.core.unit.reservation.ReservationState.Reservation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A change of a unit's reservation state being built from one snapshot, with the events it causes: the one place
 * the transitions every protocol shares live (unregistering, preempting), so that a SCSI PERSISTENT RESERVE OUT and
 * an NVMe Reservation Acquire leave the same state behind. Built and committed under the {@link UnitReservations}
 * monitor.
 */
public final class ReservationEdit {
    public final LinkedHashMap<Registrant, Registration> registrations;
    public Reservation reservation;
    public boolean aptpl;
    public final List<Map.Entry<Registrant, ReservationEvent>> events = new ArrayList<>();
    private final ReservationState from;

    public ReservationEdit(ReservationState s) {
        from = s;
        registrations = new LinkedHashMap<>(s.registrations());
        reservation = s.reservation();
        aptpl = s.aptpl();
    }

    /** What a preemption came to. */
    public enum Preempted {
        DONE,
        /** Nothing held the key and no registration had it (SCSI and NVMe: reservation conflict). */
        NOTHING,
        /** A zero key that names no all-registrants reservation (SCSI: invalid field; NVMe: Invalid Field). */
        ZERO_KEY
    }

    public void notify(Registrant r, ReservationEvent event) {
        events.add(Map.entry(r, event));
    }

    public void notifyOthers(Registrant except, ReservationEvent event) {
        registrations.keySet().forEach(k -> {
            if (!k.equals(except)) {
                notify(k, event);
            }
        });
    }

    /**
     * SPC-4 5.13.10, NVMe Base 2.0 8.19.8: unregistering the holder releases a reservation that is not
     * all-registrants, telling the remaining registrants of a registrants-only one; an all-registrants reservation
     * ends with its last registrant.
     */
    public void unregister(Registrant id) {
        registrations.remove(id);
        if (reservation == null) {
            return;
        }
        if (reservation.type().allRegistrants()) {
            if (registrations.isEmpty()) {
                reservation = null;
            }
        } else if (id.equals(reservation.holder())) {
            if (reservation.type().registrantsOnly()) {
                notifyOthers(id, ReservationEvent.RESERVATION_RELEASED);
            }
            reservation = null;
        }
    }

    /**
     * SPC-4 5.13.11.4 PREEMPT, NVMe Base 2.0 8.19.10 Reservation Acquire preempt (the same rules): when
     * {@code key} names the holder (or is zero under an all-registrants reservation) {@code id} takes the
     * reservation over with {@code type} and the registrations with that key (all others, for zero) go; otherwise
     * only the registrations with that key go. {@code id} keeps its own registration either way. Removed
     * registrants get REGISTRATION_PREEMPTED; a changed type tells the remaining ones RESERVATION_RELEASED.
     *
     * @return what happened; on anything but {@link Preempted#DONE} this edit is unchanged
     */
    public Preempted preempt(Registrant id, long key, ReservationType type) {
        Reservation res = from.reservation();
        boolean takeOver = res != null && (res.type().allRegistrants() ? key == 0 : key == from.reservationKey());
        if (!takeOver && key == 0) {
            return Preempted.ZERO_KEY;
        }
        List<Registrant> removed = new ArrayList<>();
        for (Map.Entry<Registrant, Registration> x : from.registrations().entrySet()) {
            if (!x.getKey().equals(id) && (key == 0 || x.getValue().key() == key)) {
                removed.add(x.getKey());
            }
        }
        if (!takeOver && removed.isEmpty()) {
            return Preempted.NOTHING;
        }
        for (Registrant r : removed) {
            registrations.remove(r);
            notify(r, ReservationEvent.REGISTRATION_PREEMPTED);
        }
        if (takeOver) {
            reservation = new Reservation(type, type.allRegistrants() ? null : id);
            if (res.type() != type) {
                notifyOthers(id, ReservationEvent.RESERVATION_RELEASED);
            }
        }
        return Preempted.DONE;
    }

    /** The snapshot to commit: the generation counts registration changes only (SPC-4 6.15.2, NVMe 8.19.13). */
    public ReservationState next(boolean newGeneration) {
        return new ReservationState(from.generation() + (newGeneration ? 1 : 0), aptpl, registrations, reservation);
    }
}
