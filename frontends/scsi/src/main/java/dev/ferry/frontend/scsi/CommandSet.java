package dev.ferry.frontend.scsi;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Every command this target implements, with its CDB USAGE DATA (SPC-4 6.35.3): byte 0 is the operation
 * code, byte 1 of a service-action command carries the service action, and every other bit set is a bit the device
 * server evaluates. The same masks serve REPORT SUPPORTED OPERATION CODES and the reserved-bit check of every CDB,
 * so the report is exactly what is enforced: a bit outside the mask is answered with ILLEGAL REQUEST, INVALID FIELD
 * IN CDB pointing at it (SPC-4 4.2.5.1: reserved bits shall be checked). The CONTROL byte evaluates nothing: NACA and
 * LINK are unsupported (SAM-5 5.2), so setting them is an invalid field.
 */
final class CommandSet {
    interface Handler {
        void execute(ScsiCommand c);
    }

    /** Not blocked by a pending unit attention (SPC-4 5.14: INQUIRY, REPORT LUNS, REQUEST SENSE). */
    static final int NO_UA = 1;
    /** Allowed from other I_T nexuses while a RESERVE(6) reservation is held (SPC-2 5.5.1). */
    static final int RESERVATION_OK = 2;
    /** Modifies the medium: refused with DATA PROTECT on a write-protected unit. */
    static final int MEDIUM_WRITE = 4;
    /** Served by the REPORT LUNS well-known logical unit (SPC-4 8.2). */
    static final int WLUN = 8;
    /** Served for a LUN that addresses no logical unit (SPC-4 6.6.1, 6.33, 6.39). */
    static final int NO_LU = 16;
    /** Reads the medium: conflicts with Exclusive Access persistent reservations ({@link ReservationConflicts}). */
    static final int PR_READ = 32;
    /** Changes the medium or unit: conflicts with every persistent reservation type ({@link ReservationConflicts}). */
    static final int PR_WRITE = 64;

    /**
     * @param thinBits1 bits of CDB byte 1 that a unit evaluates only if it can deallocate (WRITE SAME's UNMAP); on
     *                  other units they are reported unused and refused as invalid fields
     */
    record OpSpec(int opcode, int serviceAction, String name, int flags, Predicate<LunContext> supported,
                  Handler handler, byte[] usage, int thinBits1) {
        boolean hasServiceAction() {
            return serviceAction >= 0;
        }

        int cdbLength() {
            return usage.length;
        }

        boolean is(int flag) {
            return (flags & flag) != 0;
        }

        boolean supportedBy(LunContext lu) {
            return lu == null || supported.test(lu);
        }

        /** The CDB USAGE DATA as this unit evaluates it (null: the generic view). */
        byte[] usage(LunContext lu) {
            if (thinBits1 == 0 || lu == null || lu.descriptor.discard()) {
                return usage;
            }
            byte[] u = usage.clone();
            u[1] &= (byte) ~thinBits1;
            return u;
        }

        /** SPC-4 4.2.5.1: ends the command when a bit the device server does not evaluate is set. */
        void checkReservedBits(byte[] cdb, LunContext lu) {
            byte[] usage = usage(lu);
            for (int i = 1; i < usage.length; i++) {
                int value = cdb[i] & 0xFF;
                if (i == 1 && hasServiceAction()) {
                    value &= ~0x1F; // the SERVICE ACTION field itself was matched by the lookup
                }
                int bad = value & ~usage[i] & 0xFF;
                if (bad != 0) {
                    throw CheckCondition.invalidFieldInCdb(i, 31 - Integer.numberOfLeadingZeros(bad));
                }
            }
        }
    }

    private static final Predicate<LunContext> ALWAYS = lu -> true;
    private static final Predicate<LunContext> THIN = lu -> lu.descriptor.discard();
    private static final int INFO = NO_UA | RESERVATION_OK | WLUN | NO_LU;

    // @formatter:off
    static final List<OpSpec> ALL = List.of(
        op(0x00, "TEST UNIT READY", WLUN, UnitCommands::testUnitReady,
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00),
        op(0x03, "REQUEST SENSE", INFO, UnitCommands::requestSense,
                0x03, 0x00, 0x00, 0x00, 0xFF, 0x00),                       // DESC unsupported: fixed format only
        op(0x08, "READ(6)", PR_READ, ReadWriteCommands::read6,
                0x08, 0x1F, 0xFF, 0xFF, 0xFF, 0x00),
        op(0x0A, "WRITE(6)", MEDIUM_WRITE | PR_WRITE, ReadWriteCommands::write6,
                0x0A, 0x1F, 0xFF, 0xFF, 0xFF, 0x00),
        op(0x12, "INQUIRY", INFO, InquiryCommand::execute,
                0x12, 0x01, 0xFF, 0xFF, 0xFF, 0x00),                       // EVPD; CMDDT obsolete
        op(0x15, "MODE SELECT(6)", PR_WRITE, ModeCommands::select6,
                0x15, 0x10, 0x00, 0x00, 0xFF, 0x00),                       // PF; SP unsupported (no saved pages)
        op(0x16, "RESERVE(6)", 0, UnitCommands::reserve,
                0x16, 0x00, 0x00, 0x00, 0x00, 0x00),
        op(0x17, "RELEASE(6)", RESERVATION_OK, UnitCommands::release,
                0x17, 0x00, 0x00, 0x00, 0x00, 0x00),
        op(0x1A, "MODE SENSE(6)", PR_READ, ModeCommands::sense6,
                0x1A, 0x08, 0xFF, 0xFF, 0xFF, 0x00),                       // DBD, PC + PAGE CODE, SUBPAGE
        op(0x1B, "START STOP UNIT", PR_WRITE, UnitCommands::startStopUnit,
                0x1B, 0x01, 0x00, 0x00, 0x05, 0x00),                       // IMMED; NO_FLUSH, START
        op(0x1E, "PREVENT ALLOW MEDIUM REMOVAL", PR_WRITE, UnitCommands::preventAllow,
                0x1E, 0x00, 0x00, 0x00, 0x03, 0x00),
        op(0x25, "READ CAPACITY(10)", 0, ReadCapacity::readCapacity10,
                0x25, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x01, 0x00),
        op(0x28, "READ(10)", PR_READ, ReadWriteCommands::read10,
                0x28, 0x1A, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF, 0x00), // DPO FUA FUA_NV; RDPROTECT unsupported
        op(0x2A, "WRITE(10)", MEDIUM_WRITE | PR_WRITE, ReadWriteCommands::write10,
                0x2A, 0x1A, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF, 0x00),
        op(0x2E, "WRITE AND VERIFY(10)", MEDIUM_WRITE | PR_WRITE, ReadWriteCommands::writeAndVerify10,
                0x2E, 0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF, 0x00), // DPO BYTCHK
        op(0x2F, "VERIFY(10)", PR_READ, ReadWriteCommands::verify10,
                0x2F, 0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF, 0x00), // DPO BYTCHK(2 bits)
        op(0x34, "PRE-FETCH(10)", PR_READ, ReadWriteCommands::prefetch10,
                0x34, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF, 0x00), // IMMED
        op(0x35, "SYNCHRONIZE CACHE(10)", PR_WRITE, ReadWriteCommands::synchronizeCache10,
                0x35, 0x06, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF, 0x00), // SYNC_NV IMMED
        op(0x37, "READ DEFECT DATA(10)", PR_READ, DefectData::read10,
                0x37, 0x00, 0x1F, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x00), // REQ_PLIST REQ_GLIST FORMAT
        thin(0x41, "WRITE SAME(10)", MEDIUM_WRITE | PR_WRITE, 0x08, WriteSameCommand::writeSame10,
                0x41, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF, 0x00), // UNMAP; ANCHOR unsupported
        op(0x42, "UNMAP", MEDIUM_WRITE | PR_WRITE, THIN, UnmapCommand::execute,
                0x42, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F, 0xFF, 0xFF, 0x00), // ANCHOR unsupported
        op(0x55, "MODE SELECT(10)", PR_WRITE, ModeCommands::select10,
                0x55, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x00),
        op(0x5A, "MODE SENSE(10)", PR_READ, ModeCommands::sense10,
                0x5A, 0x18, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x00), // LLBAA DBD
        sa(0x5E, PrInCommand.READ_KEYS, "PERSISTENT RESERVE IN: READ KEYS", 0, PrInCommand::readKeys,
                0x5E, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x00),
        sa(0x5E, PrInCommand.READ_RESERVATION, "PERSISTENT RESERVE IN: READ RESERVATION", 0,
                PrInCommand::readReservation,
                0x5E, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x00),
        sa(0x5E, PrInCommand.REPORT_CAPABILITIES, "PERSISTENT RESERVE IN: REPORT CAPABILITIES", 0,
                PrInCommand::reportCapabilities,
                0x5E, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x00),
        sa(0x5E, PrInCommand.READ_FULL_STATUS, "PERSISTENT RESERVE IN: READ FULL STATUS", 0,
                PrInCommand::readFullStatus,
                0x5E, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x00),
        // PERSISTENT RESERVE OUT: SCOPE and TYPE are evaluated where the service action uses them
        sa(0x5F, PrOutCommand.REGISTER, "PERSISTENT RESERVE OUT: REGISTER", 0, PrOutCommand::register,
                0x5F, 0x00, 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00),
        sa(0x5F, PrOutCommand.RESERVE, "PERSISTENT RESERVE OUT: RESERVE", 0, PrOutCommand::reserve,
                0x5F, 0x01, 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00),
        sa(0x5F, PrOutCommand.RELEASE, "PERSISTENT RESERVE OUT: RELEASE", 0, PrOutCommand::release,
                0x5F, 0x02, 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00),
        sa(0x5F, PrOutCommand.CLEAR, "PERSISTENT RESERVE OUT: CLEAR", 0, PrOutCommand::clear,
                0x5F, 0x03, 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00),
        sa(0x5F, PrOutCommand.PREEMPT, "PERSISTENT RESERVE OUT: PREEMPT", 0, PrOutCommand::preempt,
                0x5F, 0x04, 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00),
        sa(0x5F, PrOutCommand.PREEMPT_AND_ABORT, "PERSISTENT RESERVE OUT: PREEMPT AND ABORT", 0,
                PrOutCommand::preemptAndAbort,
                0x5F, 0x05, 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00),
        sa(0x5F, PrOutCommand.REGISTER_AND_IGNORE_EXISTING_KEY,
                "PERSISTENT RESERVE OUT: REGISTER AND IGNORE EXISTING KEY", 0,
                PrOutCommand::registerAndIgnoreExistingKey,
                0x5F, 0x06, 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00),
        sa(0x5F, PrOutCommand.REGISTER_AND_MOVE, "PERSISTENT RESERVE OUT: REGISTER AND MOVE", 0,
                PrOutCommand::registerAndMove,
                0x5F, 0x07, 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00),
        sa(0x83, ExtendedCopyCommand.LID1, "EXTENDED COPY(LID1)", 0, ExtendedCopyCommand::execute,
                0x83, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00),
        sa(0x84, ReceiveCopyResults.COPY_STATUS, "RECEIVE COPY RESULTS: COPY STATUS", 0,
                ReceiveCopyResults::copyStatus,
                0x84, 0x00, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00),
        sa(0x84, ReceiveCopyResults.OPERATING_PARAMETERS, "RECEIVE COPY RESULTS: OPERATING PARAMETERS", 0,
                ReceiveCopyResults::operatingParameters,
                0x84, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00),
        sa(0x84, ReceiveCopyResults.FAILED_SEGMENT_DETAILS, "RECEIVE COPY RESULTS: FAILED SEGMENT DETAILS", 0,
                ReceiveCopyResults::failedSegmentDetails,
                0x84, 0x04, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00),
        op(0x88, "READ(16)", PR_READ, ReadWriteCommands::read16,
                0x88, 0x1A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00),
        op(0x89, "COMPARE AND WRITE", MEDIUM_WRITE | PR_WRITE, ReadWriteCommands::compareAndWrite,
                0x89, 0x1A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0x1F, 0x00),
        op(0x8A, "WRITE(16)", MEDIUM_WRITE | PR_WRITE, ReadWriteCommands::write16,
                0x8A, 0x1A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00),
        op(0x8B, "ORWRITE(16)", MEDIUM_WRITE | PR_WRITE, OrWriteCommand::orWrite16,
                0x8B, 0x1A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00),
        op(0x8E, "WRITE AND VERIFY(16)", MEDIUM_WRITE | PR_WRITE, ReadWriteCommands::writeAndVerify16,
                0x8E, 0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00),
        op(0x8F, "VERIFY(16)", PR_READ, ReadWriteCommands::verify16,
                0x8F, 0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00),
        op(0x90, "PRE-FETCH(16)", PR_READ, ReadWriteCommands::prefetch16,
                0x90, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00),
        op(0x91, "SYNCHRONIZE CACHE(16)", PR_WRITE, ReadWriteCommands::synchronizeCache16,
                0x91, 0x06, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00),
        thin(0x93, "WRITE SAME(16)", MEDIUM_WRITE | PR_WRITE, 0x08, WriteSameCommand::writeSame16,
                0x93, 0x09, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00), // UNMAP NDOB
        sa(0x9E, 0x10, "READ CAPACITY(16)", 0, ReadCapacity::readCapacity16,
                0x9E, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00),
        sa(0x9E, GetLbaStatusCommand.SERVICE_ACTION, "GET LBA STATUS", PR_READ, GetLbaStatusCommand::execute,
                0x9E, 0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00),
        op(0xA0, "REPORT LUNS", INFO, ReportLuns::execute,
                0xA0, 0x00, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00),
        sa(0xA3, 0x0A, "REPORT TARGET PORT GROUPS", 0, TargetPortGroups::execute,
                0xA3, 0xEA, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00), // PARAMETER DATA FORMAT
        sa(0xA3, 0x0C, "REPORT SUPPORTED OPERATION CODES", 0, SupportedOperationCodes::execute,
                0xA3, 0x0C, 0x87, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00), // RCTD, REPORTING OPTIONS
        sa(0xA4, SetTargetPortGroups.SERVICE_ACTION, "SET TARGET PORT GROUPS", 0, SetTargetPortGroups::execute,
                0xA4, 0x0A, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00),
        op(0xA8, "READ(12)", PR_READ, ReadWriteCommands::read12,
                0xA8, 0x1A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00),
        op(0xAA, "WRITE(12)", MEDIUM_WRITE | PR_WRITE, ReadWriteCommands::write12,
                0xAA, 0x1A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00),
        op(0xAE, "WRITE AND VERIFY(12)", MEDIUM_WRITE | PR_WRITE, ReadWriteCommands::writeAndVerify12,
                0xAE, 0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00),
        op(0xAF, "VERIFY(12)", PR_READ, ReadWriteCommands::verify12,
                0xAF, 0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00),
        op(0xB7, "READ DEFECT DATA(12)", PR_READ, DefectData::read12,
                0xB7, 0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00)); // + ADDRESS DESCRIPTOR INDEX
    // @formatter:on

    private static final OpSpec[] BY_OPCODE = new OpSpec[256];
    private static final Map<Integer, OpSpec> BY_SERVICE_ACTION = new HashMap<>();
    private static final boolean[] HAS_SERVICE_ACTIONS = new boolean[256];

    static {
        for (OpSpec s : ALL) {
            if (Cdb.length(s.opcode) != s.cdbLength()) {
                throw new AssertionError(s.name + ": usage data length does not match its group code");
            }
            if (s.hasServiceAction()) {
                HAS_SERVICE_ACTIONS[s.opcode] = true;
                BY_SERVICE_ACTION.put((s.opcode << 8) | s.serviceAction, s);
            } else {
                BY_OPCODE[s.opcode] = s;
            }
        }
    }

    private CommandSet() {
    }

    /** Whether the operation code is one whose commands are told apart by a service action (SPC-4 4.2.5.2). */
    static boolean hasServiceActions(int opcode) {
        return HAS_SERVICE_ACTIONS[opcode & 0xFF];
    }

    /**
     * Whether an unimplemented service action of this operation code is INVALID FIELD IN CDB rather than an unknown
     * command: PERSISTENT RESERVE IN and OUT exist whatever the service action, and their unassigned values are
     * reserved field values (SPC-4 6.15.1, 6.16.1). libiscsi's PrinServiceactionRange expects exactly this.
     */
    static boolean serviceActionIsField(int opcode) {
        return opcode == 0x5E || opcode == 0x5F;
    }

    /** The command for an operation code without service actions, or null. */
    static OpSpec byOpcode(int opcode) {
        return BY_OPCODE[opcode & 0xFF];
    }

    /** The command for an operation code and service action, or null. */
    static OpSpec byServiceAction(int opcode, int serviceAction) {
        return BY_SERVICE_ACTION.get(((opcode & 0xFF) << 8) | serviceAction);
    }

    /** The command a CDB asks for, or null when unknown (opcode or service action). */
    static OpSpec lookup(byte[] cdb) {
        int opcode = cdb[0] & 0xFF;
        return hasServiceActions(opcode) ? byServiceAction(opcode, cdb[1] & 0x1F) : byOpcode(opcode);
    }

    private static OpSpec op(int opcode, String name, int flags, Handler h, int... usage) {
        return op(opcode, name, flags, ALWAYS, h, usage);
    }

    private static OpSpec op(int opcode, String name, int flags, Predicate<LunContext> supported, Handler h,
                             int... usage) {
        return new OpSpec(opcode, -1, name, flags, supported, h, bytes(usage), 0);
    }

    private static OpSpec thin(int opcode, String name, int flags, int thinBits1, Handler h, int... usage) {
        return new OpSpec(opcode, -1, name, flags, ALWAYS, h, bytes(usage), thinBits1);
    }

    private static OpSpec sa(int opcode, int serviceAction, String name, int flags, Handler h, int... usage) {
        return new OpSpec(opcode, serviceAction, name, flags, ALWAYS, h, bytes(usage), 0);
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }
}
