package dev.ferry.core.unit.reservation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One immutable snapshot of a logical unit's reservation state: the registrations, in the order they were made, the
 * reservation if any, the generation and the last APTPL value. Readers take a snapshot without locking;
 * {@link UnitReservations#commit} replaces it as a whole.
 *
 * @param generation    PRgeneration (SPC-4 6.15.2), a 32-bit counter
 * @param aptpl         the last APTPL value received (persist through power loss)
 * @param registrations reservation keys by registrant, in registration order
 * @param reservation   the reservation, or null
 */
public record ReservationState(int generation, boolean aptpl, Map<Registrant, Registration> registrations,
                               Reservation reservation) {

    public static final ReservationState EMPTY = new ReservationState(0, false, Map.of(), null);

    public ReservationState {
        registrations = Collections.unmodifiableMap(new LinkedHashMap<>(registrations));
    }

    /** @param key the reservation key (never zero) */
    public record Registration(long key) {
    }

    /** @param holder the reservation holder, or null for the all-registrants types (every registrant holds it) */
    public record Reservation(ReservationType type, Registrant holder) {
    }

    /** Holder of the reservation: the registrant named as such, or any registrant of an all-registrants type. */
    public boolean isHolder(Registrant r) {
        if (reservation == null || !registrations.containsKey(r)) {
            return false;
        }
        return reservation.type().allRegistrants() || r.equals(reservation.holder());
    }

    /** The holder's key, or zero for an all-registrants type or no reservation (SPC-4 6.15.3.2). */
    public long reservationKey() {
        if (reservation == null || reservation.holder() == null) {
            return 0;
        }
        Registration r = registrations.get(reservation.holder());
        return r != null ? r.key() : 0;
    }

    /**
     * Whether a command from {@code who} conflicts with the reservation (SPC-4 5.13.1 Table 66, NVMe Base 2.0 8.19.1
     * Figure 448): never for the holder, nor under the registrants-only and all-registrants types for a registrant;
     * otherwise every write-class command conflicts, and read-class ones under the Exclusive Access types.
     *
     * @param writes the command changes the medium (or its cache), as opposed to only reading it
     */
    public boolean conflicts(Registrant who, boolean writes) {
        if (reservation == null) {
            return false;
        }
        if (isHolder(who) || (reservation.type().admitsRegistrants() && registrations.containsKey(who))) {
            return false;
        }
        return writes || reservation.type().exclusiveAccess();
    }
}
