package dev.ferry.frontend.scsi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One immutable snapshot of a logical unit's persistent reservation state (SPC-4 5.13): the registrations, in the
 * order they were made, the reservation if any, PRgeneration and the last APTPL value. Commands read a snapshot
 * without locking; {@link PersistentReservations} replaces it as a whole.
 *
 * @param generation   PRgeneration (SPC-4 6.15.2), a 32-bit counter
 * @param aptpl        the APTPL bit of the last REGISTER, REGISTER AND IGNORE EXISTING KEY or REGISTER AND MOVE
 * @param registrations by registrant, in registration order
 * @param reservation  the persistent reservation, or null
 */
record ReservationState(int generation, boolean aptpl, Map<Registrant, Registration> registrations,
                        Reservation reservation) {

    static final ReservationState EMPTY = new ReservationState(0, false, Map.of(), null);

    ReservationState {
        registrations = Collections.unmodifiableMap(new LinkedHashMap<>(registrations));
    }

    /**
     * Who a registration belongs to: an I_T nexus, named by the initiator port and the target port (SPC-4 5.13.7).
     * iSCSI names compare case-insensitively (RFC 3722 normalises them to lower case), so the port name is kept in
     * lower case.
     */
    record Registrant(String initiatorPortName, int relativeTargetPortId) {
        static Registrant of(ItNexus n) {
            return new Registrant(n.initiatorPortName().toLowerCase(Locale.ROOT),
                    n.port() != null ? n.port().relativePortId() : 0);
        }
    }

    /**
     * @param key   the reservation key (never zero)
     * @param nexus the I_T nexus the registration was last used from: where its unit attentions go
     */
    record Registration(long key, ItNexus nexus) {
    }

    /** @param holder the reservation holder, or null for the all-registrants types (every registrant holds it) */
    record Reservation(ReservationType type, Registrant holder) {
    }

    /** Holder of the reservation: the registrant named as such, or any registrant of an all-registrants type. */
    boolean isHolder(Registrant r) {
        if (reservation == null || !registrations.containsKey(r)) {
            return false;
        }
        return reservation.type().allRegistrants() || r.equals(reservation.holder());
    }

    /** The key READ RESERVATION reports: the holder's, or zero for an all-registrants type (SPC-4 6.15.3.2). */
    long reservationKey() {
        if (reservation == null || reservation.holder() == null) {
            return 0;
        }
        Registration r = registrations.get(reservation.holder());
        return r != null ? r.key() : 0;
    }
}
