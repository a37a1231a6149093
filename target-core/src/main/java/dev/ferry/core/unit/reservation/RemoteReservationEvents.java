package dev.ferry.core.unit.reservation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The events a change made by another node causes for registrants this node serves, derived from the states
 * before and after (the other node told its own registrants; the command's own events are not shared). Best
 * effort, as the states cannot tell everything apart: a registrant that is gone was preempted (all gone at once
 * from two or more: cleared, RESERVATION_PREEMPTED), and the registrants left of a registrants-only or
 * all-registrants reservation that ended or changed type were released from it. An NVMe host that unregistered
 * itself through another node is told it was preempted here.
 */
final class RemoteReservationEvents {
    private RemoteReservationEvents() {
    }

    static List<Map.Entry<Registrant, ReservationEvent>> between(ReservationState before, ReservationState after) {
        List<Map.Entry<Registrant, ReservationEvent>> events = new ArrayList<>();
        boolean cleared = after.registrations().isEmpty() && before.registrations().size() >= 2;
        for (Registrant r : before.registrations().keySet()) {
            if (!after.registrations().containsKey(r)) {
                events.add(Map.entry(r, cleared ? ReservationEvent.RESERVATION_PREEMPTED
                        : ReservationEvent.REGISTRATION_PREEMPTED));
            }
        }
        ReservationState.Reservation was = before.reservation();
        ReservationState.Reservation now = after.reservation();
        if (was != null && was.type().admitsRegistrants() && (now == null || now.type() != was.type())) {
            for (Registrant r : after.registrations().keySet()) {
                boolean actor = r.equals(was.holder()) || (now != null && r.equals(now.holder()));
                if (before.registrations().containsKey(r) && !actor) {
                    events.add(Map.entry(r, ReservationEvent.RESERVATION_RELEASED));
                }
            }
        }
        return events;
    }
}
