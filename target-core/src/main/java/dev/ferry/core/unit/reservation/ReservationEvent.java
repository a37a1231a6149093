package dev.ferry.core.unit.reservation;

/**
 * What a registrant is told when another initiator changes the reservation state: SCSI establishes the unit
 * attentions of SPC-4 5.13 (2Ah/03h-05h), NVMe reports the reservation notifications of Base 2.0 5.16.1.25.
 */
public enum ReservationEvent {
    /** Its registration was removed by another initiator (PREEMPT, CLEAR's others get RESERVATION_PREEMPTED). */
    REGISTRATION_PREEMPTED,
    /** The reservation it was admitted by was released, or changed type. */
    RESERVATION_RELEASED,
    /** The reservation and registrations were cleared. */
    RESERVATION_PREEMPTED
}
