package dev.ferry.frontend.scsi;

import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.unit.UnitIdentity;
import dev.ferry.core.unit.copy.CopyAdmission;
import dev.ferry.core.unit.copy.CopyJob;
import dev.ferry.core.unit.copy.CopyRange;
import dev.ferry.core.unit.reservation.Registrant;
import dev.ferry.core.unit.reservation.ReservationState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * SPC-4 6.4 EXTENDED COPY (LID1) (83h, service action 00h): the copy manager copies blocks between logical units of
 * this target (or within one) without the data crossing the network, as VMware's VAAI full copy (XCOPY) uses it.
 * Only identification CSCD descriptors (E4h) naming a logical unit of this target the nexus sees, and block to
 * block segment descriptors (02h), are implemented (as LIO); the copy runs in the core's {@link CopyJob}, bounded
 * per target ({@link CopyManager#MAX_CONCURRENT_COPIES}) and in the process.
 *
 * <pre>
 * CDB: byte 1 SERVICE ACTION (00h) | bytes 10-13 PARAMETER LIST LENGTH
 * </pre>
 * Before any block moves, each copy target is checked as if the initiator had sent it the reads and writes itself:
 * a reservation held by another (RESERVE(6) or a conflicting persistent reservation) is RESERVATION CONFLICT, a
 * write-protected destination DATA PROTECT. A segment whose copy fails (beyond a unit's capacity, a medium error, a
 * unit that went away) ends the command with COPY ABORTED ({@link #copyAborted}: the failed segment's number and
 * the copy target's own sense); that sense and how far the copy got are held for RECEIVE COPY RESULTS (FAILED
 * SEGMENT DETAILS, COPY STATUS) when the list identifier is held. A full copy manager answers BUSY; an aborted task
 * (task management, connection loss) stops after the chunk in flight.
 */
final class ExtendedCopyCommand {
    /** SPC-4 6.4.1: the service action of EXTENDED COPY (LID1). */
    static final int LID1 = 0x00;

    private ExtendedCopyCommand() {
    }

    static void execute(ScsiCommand c) {
        long length = Cdb.u32(c.cdb, 10);
        if (length == 0) {
            c.good(); // SPC-4 6.4.1: no data, not an error
            return;
        }
        if (length > ExtendedCopyParameters.MAX_PARAMETER_LIST_LENGTH) {
            // more than the largest list this copy manager takes: refused before any of it is read
            c.transferLength(length);
            throw CheckCondition.parameterListLengthError();
        }
        ExtendedCopyParameters x = ExtendedCopyParameters.parse(c.parameterList((int) length, 10));
        LunContext[] targets = resolve(c, x.cscds());
        List<CopyRange> ranges = new ArrayList<>(x.segments().size());
        for (ExtendedCopyParameters.Segment s : x.segments()) {
            if (s.sourceIndex() >= targets.length || s.destinationIndex() >= targets.length) {
                throw new CheckCondition(SenseData.copyTargetDeviceNotReachable());
            }
            LunContext source = targets[s.sourceIndex()];
            LunContext destination = targets[s.destinationIndex()];
            if (source.blockSize() != destination.blockSize()) {
                // a block count means the same bytes on both sides only at one block size (no residue handling)
                throw CheckCondition.invalidFieldInParameterList(s.offset() + 6, -1);
            }
            if (!accessible(c, source, false) || !accessible(c, destination, true)) {
                return;
            }
            ranges.add(new CopyRange(source.unit, s.sourceLba(), destination.unit, s.destinationLba(), s.blocks()));
        }
        CopyManager manager = c.target.copies();
        CopyManager.Copy copy = null;
        if (x.listIdUsage() != ExtendedCopyParameters.LIST_ID_NONE) {
            copy = new CopyManager.Copy(x.listIdUsage() == ExtendedCopyParameters.LIST_ID_HELD, ranges.size());
            if (!manager.begin(c.nexus, x.listId(), copy)) {
                throw new CheckCondition(SenseData.operationInProgress());
            }
        }
        CopyManager.Copy registered = copy;
        ScsiTask task = c.task;
        ItNexus nexus = c.nexus;
        c.hold();
        CopyJob job = CopyJob.start(c.queue, ranges, task::aborted, j -> finished(c, j, nexus, x.listId(), registered),
                manager.admission, CopyAdmission.GLOBAL);
        if (job == null) {
            if (registered != null) {
                manager.end(nexus, x.listId(), registered);
                manager.discard(nexus, x.listId(), registered);
            }
            try {
                c.status(ScsiResponse.BUSY);
            } finally {
                c.release();
            }
        } else if (registered != null) {
            registered.job = job;
        }
    }

    /** Each CSCD descriptor's logical unit among those of this target the nexus sees, in list order. */
    private static LunContext[] resolve(ScsiCommand c, List<ExtendedCopyParameters.Cscd> cscds) {
        LunContext[] targets = new LunContext[cscds.size()];
        for (int i = 0; i < targets.length; i++) {
            ExtendedCopyParameters.Cscd d = cscds.get(i);
            for (LunContext lu : c.target.visibleLuns(c.nexus).values()) {
                if (designates(d, lu.descriptor.identity())) {
                    targets[i] = lu;
                    break;
                }
            }
            if (targets[i] == null) {
                throw new CheckCondition(SenseData.copyTargetDeviceNotReachable());
            }
            if (d.blockLength() != targets[i].blockSize()) {
                throw CheckCondition.invalidFieldInParameterList(d.offset() + 29, -1);
            }
        }
        return targets;
    }

    /**
     * Whether the descriptor's designator is one of the logical unit designators of the unit's Device Identification
     * page (NAA, EUI-64, the 16-byte EUI-64 based one, T10 vendor ID): same code set, association, type and bytes.
     */
    static boolean designates(ExtendedCopyParameters.Cscd d, UnitIdentity id) {
        byte[] page = VpdPages.deviceIdentification(id, null);
        for (int at = 4; at + 4 <= page.length; at += 4 + (page[at + 3] & 0xFF)) {
            int length = page[at + 3] & 0xFF;
            if ((page[at] & 0x0F) == d.codeSet() && (page[at + 1] & 0x3F) == d.associationAndType()
                    && length == d.designator().length
                    && Arrays.equals(page, at + 4, at + 4 + length, d.designator(), 0, length)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks a copy target as a READ (source) or WRITE (destination) from this nexus would be; answers and returns
     * false when refused.
     */
    private static boolean accessible(ScsiCommand c, LunContext lu, boolean write) {
        Registrant who = c.view.registrant();
        ReservationState s = lu.reservations.state();
        if (lu.reservedByOther(who) || (s.reservation() != null && s.conflicts(who, write))) {
            c.status(ScsiResponse.RESERVATION_CONFLICT);
            return false;
        }
        if (write && lu.writeProtected()) {
            throw new CheckCondition(SenseData.writeProtected());
        }
        return true;
    }

    private static void finished(ScsiCommand c, CopyJob job, ItNexus nexus, int listId, CopyManager.Copy copy) {
        try {
            CompletionStatus s = job.status();
            byte[] sense = s == CompletionStatus.GOOD || s == CompletionStatus.ABORTED || s == CompletionStatus.BUSY
                    ? null : copyAborted(job.rangesDone(), targetSense(s, job.failedLba()));
            if (copy != null) {
                copy.failedSense = sense;
                c.target.copies().end(nexus, listId, copy);
            }
            if (sense != null) {
                c.checkCondition(sense);
            } else if (s == CompletionStatus.GOOD) {
                c.good();
            } else {
                c.status(s == CompletionStatus.BUSY ? ScsiResponse.BUSY : ScsiResponse.TASK_ABORTED);
            }
        } finally {
            c.release();
        }
    }

    /**
     * The sense data of a failed segment (SPC-4 6.4.3, 5.17.7): COPY ABORTED, COPY TARGET DEVICE NOT REACHABLE (as
     * LIO; what libiscsi accepts), COMMAND-SPECIFIC INFORMATION = the number of the failed segment counted from
     * zero, and as additional sense bytes the copy target's status (CHECK CONDITION) and its own sense data, so the
     * cause (LBA out of range, a medium error and its LBA) reaches the initiator too.
     *
     * <pre>
     * Bytes 0-17  COPY ABORTED sense, ADDITIONAL SENSE LENGTH 29, bytes 8-11 segment number
     * Byte 18     the copy target's status (02h)
     * Bytes 19-36 the copy target's fixed-format sense data
     * </pre>
     */
    static byte[] copyAborted(int segment, SenseData target) {
        byte[] own = SenseData.copyTargetDeviceNotReachable().encode();
        byte[] targetSense = target.encode();
        byte[] sense = Arrays.copyOf(own, own.length + 1 + targetSense.length);
        sense[7] = (byte) (sense.length - 8);
        Cdb.put32(sense, 8, segment);
        sense[own.length] = (byte) ScsiResponse.CHECK_CONDITION;
        System.arraycopy(targetSense, 0, sense, own.length + 1, targetSense.length);
        return sense;
    }

    /** What the copy target would have answered for the range check, read or write that failed. */
    static SenseData targetSense(CompletionStatus s, long failedLba) {
        return switch (s) {
            case MEDIUM_ERROR_READ -> SenseData.unrecoveredReadError().atLba(failedLba);
            case MEDIUM_ERROR_WRITE -> SenseData.writeError().atLba(failedLba);
            case LBA_OUT_OF_RANGE -> SenseData.lbaOutOfRange();
            case WRITE_PROTECTED -> SenseData.writeProtected();
            case NO_SPACE -> SenseData.spaceAllocationFailed();
            case UNIT_NOT_READY -> SenseData.notReady();
            default -> SenseData.internalTargetFailure();
        };
    }
}
