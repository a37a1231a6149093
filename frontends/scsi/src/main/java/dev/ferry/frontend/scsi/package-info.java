/**
 * The SCSI command set for block devices (SPC-4 / SBC-3), shared by every SCSI transport.
 *
 * <p>A transport hands each command to {@link dev.ferry.frontend.scsi.ScsiTarget#execute} as a
 * {@link dev.ferry.frontend.scsi.ScsiTask} with all Data-Out collected; the command set answers directly or turns
 * the CDB into a core {@link dev.ferry.core.request.BlockRequest} and answers from its completion, on the same
 * event loop, with one {@link dev.ferry.frontend.scsi.ScsiResponse}.
 *
 * <p>One file per job: {@code CommandSet} (the command table: CDB usage data, which checks apply, handler),
 * {@code ScsiTarget} (dispatch and task-management events), {@code ScsiCommand} (one command's exit, residuals),
 * {@code BlockIo} (core requests and the status mapping), {@code SenseData}, {@code Luns}, {@code UnitAttention(s)},
 * {@code LunContext} (per-LU state), {@code BlockLimits}, and the command families {@code InquiryCommand},
 * {@code VpdPages}, {@code ModePages}, {@code ModeCommands}, {@code ReadCapacity}, {@code ReportLuns},
 * {@code ReadWriteCommands} (with {@code SplitIo}: transfers in backend-sized pieces), {@code WriteSameCommand},
 * {@code OrWriteCommand}, {@code DefectData}, {@code UnmapCommand}, {@code UnitCommands},
 * {@code SupportedOperationCodes}, {@code TargetPortGroups}. Persistent reservations: {@code PrInCommand} and
 * {@code PrOutCommand} (decoding and encoding), {@code PersistentReservations} (the service actions as transitions of
 * the unit's state in the core, {@link dev.ferry.core.unit.reservation.UnitReservations}, which also keeps the APTPL
 * file), {@code ReservationConflicts} (which commands a reservation lets through), {@code TransportIds} (iSCSI
 * TransportIDs).
 *
 * <p>Decisions worth knowing:
 * <ul>
 *   <li>Reserved CDB bits are checked against the same usage masks REPORT SUPPORTED OPERATION CODES reports.</li>
 *   <li>Write-direction data CDBs whose transfer exceeds the Expected Data Transfer Length (overflow), or whose
 *       Data-Out did not all arrive, are refused with ILLEGAL REQUEST, INVALID FIELD IN COMMAND INFORMATION UNIT
 *       (0Eh/03h) and nothing is written (FCP-4 overflow handling, option b; LIO's target_cmd_size_check); the
 *       residual is still reported. Underflow writes the CDB's length and reports the rest as residual.</li>
 *   <li>New I_T nexuses get no POWER ON unit attention (see {@link dev.ferry.frontend.scsi.ScsiTarget}).</li>
 *   <li>WRITE SAME with zero blocks is refused (WSNZ=1); PRE-FETCH answers GOOD, never CONDITION MET.</li>
 *   <li>WCE is changeable only on units with a volatile cache. It is the unit's setting (core {@code WriteCache}),
 *       shared with NVMe's Volatile Write Cache feature; WCE=0 makes every write-class request FUA in the core.</li>
 *   <li>Persistent reservations: all six types and every PERSISTENT RESERVE OUT service action; SPEC_I_PT and
 *       ALL_TG_PT are refused (SIP_C=ATP_C=0). The state belongs to the logical unit, so every target exporting it
 *       (and NVMe I/O) sees and obeys the same reservation; APTPL needs the unit's reservation directory (under the
 *       state directory) and is refused without one (PTPL_C=0). At most
 *       {@code UnitReservations.MAX_REGISTRATIONS} registrations per unit. PREEMPT AND ABORT has the transport abort
 *       the preempted nexuses' tasks on the unit ({@link dev.ferry.frontend.scsi.ScsiTask#abortTasksOf}). While
 *       anyone is registered RESERVE(6)/RELEASE(6) conflict (or, from a holder, do nothing), and while a RESERVE(6) reservation exists every PERSISTENT RESERVE command conflicts
 *       (SPC-4 5.13.3, CRH=1).</li>
 *   <li>ALUA ({@code AsymmetricAccess}): without configured access groups implicit only (TPGS=01b), REPORT TARGET
 *       PORT GROUPS lists every port a nexus has used as active/optimized and SET TARGET PORT GROUPS is refused;
 *       with access groups, explicit and implicit (TPGS=11b), states from the core enforced per command.</li>
 * </ul>
 */
package dev.ferry.frontend.scsi;
