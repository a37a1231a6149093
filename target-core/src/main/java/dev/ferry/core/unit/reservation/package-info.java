/**
 * Persistent reservations as one protocol-neutral model per logical unit (SPC-4 5.13, NVMe Base 2.0 8.19): who is
 * registered with which key, who holds the reservation of which type, the generation and APTPL/PTPL. Every frontend
 * reads the same {@link dev.ferry.core.unit.reservation.UnitReservations} of a unit and enforces it on its I/O; the
 * protocol's own commands (SCSI PERSISTENT RESERVE IN/OUT, NVMe Reservation Register/Acquire/Release/Report)
 * compute changes with {@link dev.ferry.core.unit.reservation.ReservationEdit} and commit them here.
 *
 * <h2>The SCSI / NVMe mapping</h2>
 * A unit served as an iSCSI LUN and as an NVMe namespace has one reservation, whichever protocol made it:
 * <table>
 *   <caption>SPC-4 and NVMe Base 2.0 on one state</caption>
 *   <tr><th>concept</th><th>SCSI (SPC-4)</th><th>NVMe (Base 2.0)</th></tr>
 *   <tr><td>registrant</td><td>an I_T nexus: initiator port and target port</td>
 *       <td>a host: host NQN and Host Identifier, on any controller and port</td></tr>
 *   <tr><td>types</td><td>TYPE 1h, 3h, 5h, 6h, 7h, 8h</td><td>RTYPE 1h-6h, the same six by name
 *       ({@link dev.ferry.core.unit.reservation.ReservationType})</td></tr>
 *   <tr><td>keys</td><td>8-byte RESERVATION KEY, zero means unregistered</td>
 *       <td>8-byte CRKEY/NRKEY/PRKEY; a zero NRKEY is refused (Invalid Field) to keep zero meaning "none"</td></tr>
 *   <tr><td>holder</td><td>READ RESERVATION key; R_HOLDER in READ FULL STATUS</td>
 *       <td>RCSTS bit 0 of the holder's Registered Controller entry (every registrant's under the all-registrants
 *       types)</td></tr>
 *   <tr><td>generation</td><td>PRgeneration</td><td>GEN: the same 32-bit counter. Each protocol increments it where
 *       its own specification says (SCSI: REGISTER, PREEMPT, CLEAR, REGISTER AND MOVE; NVMe: every successful
 *       Register, preempt, clear), so a value read over one protocol may move by a change the other does not
 *       count</td></tr>
 *   <tr><td>persistence</td><td>APTPL (REGISTER), PTPL_A in REPORT CAPABILITIES</td><td>CPTPL (Register),
 *       feature 0Dh, PTPLS in the report: one setting, stored by {@link
 *       dev.ferry.core.unit.reservation.ReservationStore}. A SCSI change that leaves no registration ends it
 *       (SCSI's rule); NVMe keeps it as set</td></tr>
 *   <tr><td>limits</td><td colspan="2">{@link dev.ferry.core.unit.reservation.UnitReservations#MAX_REGISTRATIONS}
 *       registrations per unit over both protocols: SCSI INSUFFICIENT REGISTRATION RESOURCES, NVMe Capacity
 *       Exceeded</td></tr>
 *   <tr><td>events</td><td>unit attentions 2Ah/05h REGISTRATIONS PREEMPTED, 2Ah/04h RESERVATIONS RELEASED,
 *       2Ah/03h RESERVATIONS PREEMPTED</td><td>Reservation Notification log 80h types 1h Registration Preempted,
 *       2h Reservation Released, 3h Reservation Preempted, with the Reservation Log Page Available event (one
 *       {@link dev.ferry.core.unit.reservation.ReservationEvent} each)</td></tr>
 *   <tr><td>the other side in reports</td><td>an NVMe host in READ FULL STATUS: ALL_TG_PT=1, RELATIVE TARGET
 *       PORT IDENTIFIER 0, an iSCSI initiator device TransportID (format 00b) carrying its host NQN; counted in
 *       READ KEYS</td><td>a SCSI I_T nexus in the Reservation Report: CNTLID FFFFh like every registrant
 *       (dynamic controller model), Host Identifier the first 16 bytes of the SHA-256 of its initiator port
 *       name</td></tr>
 * </table>
 * A unit whose medium other nodes serve too (a gateway group's members) keeps the state in a {@link
 * dev.ferry.core.unit.reservation.SharedReservationStore} instead, committed by compare-and-swap, so every node
 * enforces the same registrations and holder.
 *
 * <p>Not mapped: SCSI RESERVE(6)/RELEASE(6) has no NVMe counterpart; it refuses every NVMe command while held. REGISTER
 * AND MOVE only moves to an iSCSI TransportID, never to an NVMe host (there is no TransportID for one).
 */
package dev.ferry.core.unit.reservation;
