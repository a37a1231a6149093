package dev.ferry.frontend.scsi;

import dev.ferry.core.unit.reservation.Registrant;
import dev.ferry.core.unit.reservation.ReservationEdit;
import dev.ferry.core.unit.reservation.ReservationEvent;
import dev.ferry.core.unit.reservation.ReservationState;
import dev.ferry.core.unit.reservation.ReservationState.Registration;
import dev.ferry.core.unit.reservation.ReservationState.Reservation;
import dev.ferry.core.unit.reservation.ReservationType;
import dev.ferry.core.unit.reservation.UnitReservations;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PERSISTENT RESERVE OUT service actions (SPC-4 5.13) as transitions of the logical unit's reservation state,
 * which lives in the core ({@link UnitReservations}) and is shared by every target exporting the unit and by NVMe.
 * Each returns false when the command ends in RESERVATION CONFLICT, throws {@link CheckCondition} for the errors
 * that carry sense data, and otherwise commits one new {@link ReservationState} (saved first when APTPL is in
 * force); the core then tells every target's LUN of the unit which registrants get which unit attention. A change
 * is computed under the shared state's monitor, so two targets never overwrite each other's change.
 *
 * <p>Every service action but REGISTER AND IGNORE EXISTING KEY first requires the RESERVATION KEY to be the one
 * registered for the I_T nexus, or zero for an unregistered nexus (SPC-4 6.16.3); a mismatch is a conflict.
 * Registrations survive I_T nexus loss and resets (SPC-4 5.13.3); only CLEAR, PREEMPT and unregistering end them.
 */
final class PersistentReservations {
    private static final Logger LOG = LoggerFactory.getLogger(PersistentReservations.class);

    private final String unitName;
    private final UnitReservations shared;

    PersistentReservations(String unitName, UnitReservations shared) {
        this.unitName = unitName;
        this.shared = shared;
    }

    ReservationState state() {
        return shared.state();
    }

    /** Whether APTPL=1 can be honoured (PTPL_C in REPORT CAPABILITIES). */
    boolean persistenceCapable() {
        return shared.persistenceCapable();
    }

    /** SPC-4 5.13.7 REGISTER and REGISTER AND IGNORE EXISTING KEY; a zero SARK unregisters. */
    boolean register(ItNexus n, long rk, long sark, boolean ignoreExisting, boolean aptpl) {
        return shared.update(() -> {
            ReservationState s = shared.state();
            Registrant id = n.registrant();
            Registration r = s.registrations().get(id);
            if (!ignoreExisting && rk != (r != null ? r.key() : 0)) {
                return false;
            }
            if (r == null && sark == 0) {
                return true; // unregistering an unregistered nexus: nothing changes, PRgeneration included
            }
            ReservationEdit e = new ReservationEdit(s);
            if (sark == 0) {
                e.unregister(id);
            } else {
                if (r == null && s.registrations().size() >= UnitReservations.MAX_REGISTRATIONS) {
                    throw new CheckCondition(SenseData.insufficientRegistrationResources());
                }
                e.registrations.put(id, new Registration(sark));
            }
            e.aptpl = aptpl;
            commit(e, true);
            return true;
        });
    }

    /**
     * SPC-4 5.13.9 RESERVE. A holder asking again for the same type changes nothing; any other request while a
     * reservation exists conflicts. PRgeneration is not incremented.
     */
    boolean reserve(ItNexus n, long rk, ReservationType type) {
        return shared.update(() -> {
            ReservationState s = shared.state();
            Registrant id = n.registrant();
            Registration r = s.registrations().get(id);
            if (r == null || r.key() != rk) {
                return false;
            }
            if (s.reservation() != null) {
                return s.isHolder(id) && s.reservation().type() == type;
            }
            ReservationEdit e = new ReservationEdit(s);
            e.reservation = new Reservation(type, type.allRegistrants() ? null : id);
            commit(e, false);
            return true;
        });
    }

    /**
     * SPC-4 5.13.11.2 RELEASE: GOOD without effect when there is no reservation or the nexus does not hold it; a
     * TYPE other than the reservation's is INVALID RELEASE OF PERSISTENT RESERVATION. Releasing a registrants-only
     * or all-registrants reservation tells the other registrants (RESERVATIONS RELEASED).
     */
    boolean release(ItNexus n, long rk, int typeCode) {
        return shared.update(() -> {
            ReservationState s = shared.state();
            Registrant id = n.registrant();
            Registration r = s.registrations().get(id);
            if (r == null || r.key() != rk) {
                return false;
            }
            Reservation res = s.reservation();
            if (res == null || !s.isHolder(id)) {
                return true;
            }
            if (res.type().code != typeCode) {
                throw new CheckCondition(SenseData.invalidReleaseOfPersistentReservation());
            }
            ReservationEdit e = new ReservationEdit(s);
            e.reservation = null;
            if (res.type().admitsRegistrants()) {
                e.notifyOthers(id, ReservationEvent.RESERVATION_RELEASED);
            }
            commit(e, false);
            return true;
        });
    }

    /** SPC-4 5.13.11.3 CLEAR: every registration and the reservation go; the others get RESERVATIONS PREEMPTED. */
    boolean clear(ItNexus n, long rk) {
        return shared.update(() -> {
            ReservationState s = shared.state();
            Registrant id = n.registrant();
            Registration r = s.registrations().get(id);
            if (r == null || r.key() != rk) {
                return false;
            }
            ReservationEdit e = new ReservationEdit(s);
            e.notifyOthers(id, ReservationEvent.RESERVATION_PREEMPTED);
            e.registrations.clear();
            e.reservation = null;
            commit(e, true);
            return true;
        });
    }

    /**
     * SPC-4 5.13.11.4 PREEMPT (and the state part of PREEMPT AND ABORT). When the SERVICE ACTION RESERVATION KEY
     * names the holder (or is zero under an all-registrants reservation) the reservation is taken over with the
     * CDB's TYPE and the registrations with that key (all of them, for zero) are removed; otherwise only the
     * registrations with that key are removed, and none matching is a conflict. The preempting nexus keeps its own
     * registration either way. Removed nexuses get REGISTRATIONS PREEMPTED; when the type changes the remaining
     * registrants get RESERVATIONS RELEASED.
     */
    boolean preempt(ItNexus n, long rk, long sark, ReservationType type) {
        return shared.update(() -> {
            ReservationState s = shared.state();
            Registrant id = n.registrant();
            Registration r = s.registrations().get(id);
            if (r == null || r.key() != rk) {
                return false;
            }
            ReservationEdit e = new ReservationEdit(s);
            ReservationEdit.Preempted result = e.preempt(id, sark, type);
            if (result == ReservationEdit.Preempted.ZERO_KEY) {
                throw CheckCondition.invalidFieldInParameterList(8, -1); // SERVICE ACTION RESERVATION KEY
            }
            if (result == ReservationEdit.Preempted.NOTHING) {
                return false;
            }
            commit(e, true);
            return true;
        });
    }

    /**
     * SPC-4 5.13.8 REGISTER AND MOVE: the holder hands its reservation (same type) to another I_T nexus, registering
     * that nexus with the SERVICE ACTION RESERVATION KEY unless it is registered already, and with UNREG drops its
     * own registration. Only a holder of a reservation that is not all-registrants may move it.
     */
    boolean move(ItNexus n, long rk, long sark, ItNexus destination, boolean unregister,
                              boolean aptpl) {
        return shared.update(() -> {
            ReservationState s = shared.state();
            Registrant id = n.registrant();
            Registration r = s.registrations().get(id);
            if (r == null || r.key() != rk) {
                return false;
            }
            Reservation res = s.reservation();
            if (res == null || res.type().allRegistrants() || !id.equals(res.holder())) {
                return false;
            }
            if (sark == 0) {
                throw CheckCondition.invalidFieldInParameterList(8, -1);
            }
            Registrant to = destination.registrant();
            if (to.equals(id)) {
                throw CheckCondition.invalidFieldInParameterList(24, -1); // the TransportID names this very nexus
            }
            ReservationEdit e = new ReservationEdit(s);
            if (!e.registrations.containsKey(to) && e.registrations.size() >= UnitReservations.MAX_REGISTRATIONS) {
                throw new CheckCondition(SenseData.insufficientRegistrationResources());
            }
            e.registrations.putIfAbsent(to, new Registration(sark));
            e.reservation = new Reservation(res.type(), to);
            if (unregister) {
                e.registrations.remove(id);
            }
            e.aptpl = aptpl;
            commit(e, true);
            return true;
        });
    }

    /**
     * Commits the edit. With nothing registered there is nothing to persist, so APTPL ends with the last
     * registration. When saving under APTPL fails the command fails and the state stays as it was.
     */
    private void commit(ReservationEdit e, boolean newGeneration) {
        e.aptpl = e.aptpl && !e.registrations.isEmpty();
        ReservationState after = e.next(newGeneration);
        try {
            shared.commit(after, e.events);
        } catch (IOException ex) {
            LOG.error("{}: cannot persist reservations (APTPL)", unitName, ex);
            throw new CheckCondition(SenseData.internalTargetFailure());
        }
    }
}
