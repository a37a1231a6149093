package dev.ferry.gateway;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.unit.reservation.Registrant;
import dev.ferry.core.unit.reservation.ReservationState;
import dev.ferry.core.unit.reservation.ReservationState.Registration;
import dev.ferry.core.unit.reservation.ReservationState.Reservation;
import dev.ferry.core.unit.reservation.ReservationType;
import dev.ferry.core.unit.reservation.UnitReservations;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A unit's reservation state as the JSON of its RADOS object: registrations in order (key as hex, the
 * {@link Registrant} identity), the reservation (SPC-4 TYPE value, holder), generation and APTPL. An empty object is
 * the empty state. What another member wrote is checked as a peer's input: at most
 * {@link UnitReservations#MAX_REGISTRATIONS} registrations, non-zero keys, known types, a holder that is registered.
 */
final class ReservationJson {
    static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    record Saved(int version, long generation, boolean aptpl, List<SavedRegistration> registrations,
                 SavedReservation reservation) {
    }

    record SavedRegistration(String key, Registrant registrant) {
    }

    record SavedReservation(int type, Registrant holder) {
    }

    private ReservationJson() {
    }

    static byte[] encode(ReservationState s) throws GatewayException {
        List<SavedRegistration> regs = new ArrayList<>();
        s.registrations().forEach((who, r) -> regs.add(new SavedRegistration(Long.toHexString(r.key()), who)));
        SavedReservation res = s.reservation() == null ? null
                : new SavedReservation(s.reservation().type().code, s.reservation().holder());
        try {
            return JSON.writeValueAsBytes(new Saved(FORMAT_VERSION, s.generation() & 0xFFFFFFFFL, s.aptpl(), regs,
                    res));
        } catch (IOException e) {
            throw new GatewayException("cannot encode reservations: " + e.getMessage(), e);
        }
    }

    static ReservationState decode(byte[] data, String oid) throws GatewayException {
        if (data.length == 0) {
            return ReservationState.EMPTY;
        }
        try {
            Saved saved = JSON.readValue(data, Saved.class);
            if (saved.version() != FORMAT_VERSION) {
                throw new IOException("unknown format version " + saved.version());
            }
            List<SavedRegistration> list = saved.registrations() == null ? List.of() : saved.registrations();
            if (list.size() > UnitReservations.MAX_REGISTRATIONS) {
                throw new IOException(list.size() + " registrations, more than "
                        + UnitReservations.MAX_REGISTRATIONS);
            }
            Map<Registrant, Registration> regs = new LinkedHashMap<>();
            for (SavedRegistration r : list) {
                long key = Long.parseUnsignedLong(r.key(), 16);
                if (key == 0 || r.registrant() == null) {
                    throw new IOException("a registration without a key or registrant");
                }
                regs.put(r.registrant(), new Registration(key));
            }
            Reservation res = null;
            if (saved.reservation() != null) {
                ReservationType type = ReservationType.of(saved.reservation().type());
                Registrant holder = saved.reservation().holder();
                if (type == null || (type.allRegistrants() ? holder != null : !regs.containsKey(holder))) {
                    throw new IOException("a reservation of unknown type or unregistered holder");
                }
                res = new Reservation(type, holder);
            }
            return new ReservationState((int) saved.generation(), saved.aptpl(), regs, res);
        } catch (IOException | RuntimeException e) {
            throw new GatewayException(oid + " holds no valid reservation state: " + e.getMessage(), e);
        }
    }
}
