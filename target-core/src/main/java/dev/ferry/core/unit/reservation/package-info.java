/**
 * Persistent reservations as one protocol-neutral model per logical unit (SPC-4 5.13, NVMe Base 2.0 8.19): who is
 * registered with which key, who holds the reservation of which type, the generation and APTPL. Every frontend
 * reads the same {@link dev.ferry.core.unit.reservation.UnitReservations} of a unit and enforces it on its I/O; the
 * protocol's own commands (SCSI PERSISTENT RESERVE IN/OUT) compute changes and commit them here.
 */
package dev.ferry.core.unit.reservation;
