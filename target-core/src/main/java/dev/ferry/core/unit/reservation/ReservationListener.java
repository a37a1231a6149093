package dev.ferry.core.unit.reservation;

/** Told of each {@link ReservationEvent} for a registrant, after the change took effect. */
public interface ReservationListener {
    void notify(Registrant registrant, ReservationEvent event);
}
