package dev.ferry.frontend.scsi;

import dev.ferry.core.unit.reservation.Registrant;
import dev.ferry.core.unit.reservation.ReservationType;
import dev.ferry.core.unit.reservation.UnitReservations;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SPC-4 6.16 PERSISTENT RESERVE OUT (5Fh): decodes the CDB and parameter list of each service action and hands the
 * change to the unit's {@link PersistentReservations}.
 *
 * <pre>
 * CDB: byte 1 SERVICE ACTION(4-0) | byte 2 SCOPE(7-4) TYPE(3-0) | bytes 5-8 PARAMETER LIST LENGTH | byte 9 CONTROL
 * basic parameter list (6.16.3), 24 bytes:
 *      bytes 0-7 RESERVATION KEY | bytes 8-15 SERVICE ACTION RESERVATION KEY | bytes 16-19 obsolete
 *      | byte 20 SPEC_I_PT(3) ALL_TG_PT(2) APTPL(0) | bytes 22-23 obsolete
 * REGISTER AND MOVE parameter list (6.16.4):
 *      bytes 0-7 RESERVATION KEY | bytes 8-15 SERVICE ACTION RESERVATION KEY | byte 17 UNREG(1) APTPL(0)
 *      | bytes 18-19 RELATIVE TARGET PORT IDENTIFIER | bytes 20-23 TRANSPORTID PARAMETER DATA LENGTH
 *      | bytes 24-n TRANSPORTID
 * </pre>
 *
 * <p>Not supported, and reported so in REPORT CAPABILITIES: SPEC_I_PT (SIP_C=0) and ALL_TG_PT (ATP_C=0), both
 * INVALID FIELD IN PARAMETER LIST; APTPL=1 without a state directory (PTPL_C=0), the same. REGISTER AND MOVE
 * accepts iSCSI initiator port TransportIDs (format 01b) for target ports this target has seen.
 */
final class PrOutCommand {
    private static final Logger LOG = LoggerFactory.getLogger(PrOutCommand.class);
    static final int REGISTER = 0x00;
    static final int RESERVE = 0x01;
    static final int RELEASE = 0x02;
    static final int CLEAR = 0x03;
    static final int PREEMPT = 0x04;
    static final int PREEMPT_AND_ABORT = 0x05;
    static final int REGISTER_AND_IGNORE_EXISTING_KEY = 0x06;
    static final int REGISTER_AND_MOVE = 0x07;

    /** SPC-4 6.16.2 SCOPE: LU_SCOPE, the only scope (element scope is obsolete). */
    static final int SCOPE_LU = 0x0;
    static final int BASIC_LIST_LENGTH = 24;
    static final int MAX_LIST_LENGTH = BASIC_LIST_LENGTH + TransportIds.MAX_LENGTH;

    // byte 20 of the basic parameter list
    static final int SPEC_I_PT = 0x08;
    static final int ALL_TG_PT = 0x04;
    static final int APTPL = 0x01;
    // byte 17 of the REGISTER AND MOVE parameter list
    static final int UNREG = 0x02;

    private PrOutCommand() {
    }

    static void register(ScsiCommand c) {
        register(c, false);
    }

    static void registerAndIgnoreExistingKey(ScsiCommand c) {
        register(c, true);
    }

    private static void register(ScsiCommand c, boolean ignoreExisting) {
        if (conflictsWithReserve6(c)) {
            return;
        }
        byte[] p = basicParameters(c);
        if ((p[20] & ALL_TG_PT) != 0) {
            throw CheckCondition.invalidFieldInParameterList(20, 2);
        }
        boolean aptpl = aptpl(c, p[20], 20);
        PersistentReservations prs = c.lu.reservations;
        ItNexus n = c.nexus;
        long rk = Cdb.u64(p, 0);
        long sark = Cdb.u64(p, 8);
        finish(c, () -> prs.register(n, rk, sark, ignoreExisting, aptpl));
    }

    static void reserve(ScsiCommand c) {
        if (conflictsWithReserve6(c)) {
            return;
        }
        ReservationType type = scopeAndType(c);
        byte[] p = basicParameters(c);
        PersistentReservations prs = c.lu.reservations;
        ItNexus n = c.nexus;
        long rk = Cdb.u64(p, 0);
        finish(c, () -> prs.reserve(n, rk, type));
    }

    static void release(ScsiCommand c) {
        if (conflictsWithReserve6(c)) {
            return;
        }
        scope(c);
        byte[] p = basicParameters(c);
        PersistentReservations prs = c.lu.reservations;
        ItNexus n = c.nexus;
        long rk = Cdb.u64(p, 0);
        int type = c.cdb[2] & 0x0F;
        finish(c, () -> prs.release(n, rk, type));
    }

    static void clear(ScsiCommand c) {
        if (conflictsWithReserve6(c)) {
            return;
        }
        byte[] p = basicParameters(c);
        PersistentReservations prs = c.lu.reservations;
        ItNexus n = c.nexus;
        long rk = Cdb.u64(p, 0);
        finish(c, () -> prs.clear(n, rk));
    }

    static void preempt(ScsiCommand c) {
        if (conflictsWithReserve6(c)) {
            return;
        }
        finish(c, preemption(c));
    }

    /** The PREEMPT of the command's CDB and parameter list, decoded now (on the loop), to run later. */
    private static Supplier<Boolean> preemption(ScsiCommand c) {
        ReservationType type = scopeAndType(c);
        byte[] p = basicParameters(c);
        PersistentReservations prs = c.lu.reservations;
        ItNexus n = c.nexus;
        long rk = Cdb.u64(p, 0);
        long sark = Cdb.u64(p, 8);
        return () -> prs.preempt(n, rk, sark, type);
    }

    /**
     * SPC-4 5.13.11.2.5 PREEMPT AND ABORT: the preemption, with its unit attentions, and then the transport aborts
     * the tasks the preempted I_T nexuses have on this logical unit ({@link ScsiTask#abortTasksOf}).
     */
    static void preemptAndAbort(ScsiCommand c) {
        if (conflictsWithReserve6(c)) {
            return;
        }
        Supplier<Boolean> preemption = preemption(c);
        PersistentReservations prs = c.lu.reservations;
        apply(c, () -> {
            Set<Registrant> before = Set.copyOf(prs.state().registrations().keySet());
            if (!preemption.get()) {
                return null;
            }
            Set<Registrant> kept = prs.state().registrations().keySet();
            return before.stream().filter(r -> !kept.contains(r)).collect(Collectors.toUnmodifiableSet());
        }, preempted -> {
            if (preempted != null) {
                c.task.abortTasksOf(c.lun, n -> preempted.contains(n.registrant()));
            }
            answer(c, preempted != null);
        });
    }

    static void registerAndMove(ScsiCommand c) {
        if (conflictsWithReserve6(c)) {
            return;
        }
        byte[] p = parameters(c);
        long tidLength = Cdb.u32(p, 20);
        if (BASIC_LIST_LENGTH + tidLength > p.length) {
            throw CheckCondition.parameterListLengthError();
        }
        boolean aptpl = aptpl(c, p[17], 17);
        ScsiPort port = c.target.port(Cdb.u16(p, 18));
        if (port == null) {
            throw CheckCondition.invalidFieldInParameterList(18, -1);
        }
        TransportIds.InitiatorPort to = TransportIds.decodePort(p, BASIC_LIST_LENGTH, (int) tidLength);
        ItNexus destination = new ItNexus(to.portName(), to.name(), to.isid(), port);
        PersistentReservations prs = c.lu.reservations;
        ItNexus n = c.nexus;
        long rk = Cdb.u64(p, 0);
        long sark = Cdb.u64(p, 8);
        boolean unregister = (p[17] & UNREG) != 0;
        finish(c, () -> prs.move(n, rk, sark, destination, unregister, aptpl));
    }

    /** SPC-4 5.13.3: while a RESERVE(6) reservation exists every PERSISTENT RESERVE command conflicts. */
    private static boolean conflictsWithReserve6(ScsiCommand c) {
        if (c.lu.reservationHolder() != null) {
            c.status(ScsiResponse.RESERVATION_CONFLICT);
            return true;
        }
        return false;
    }

    /** Runs the change ({@link #apply}) and answers GOOD when it was done, RESERVATION CONFLICT when refused. */
    private static void finish(ScsiCommand c, Supplier<Boolean> change) {
        apply(c, change, done -> answer(c, done));
    }

    /**
     * Runs {@code change}, decoded from the command beforehand and touching nothing of it, where the unit's
     * reservations run changes ({@link UnitReservations#change}: off the loop when the commit may wait for
     * storage), then {@code answer} on the command's loop once the change is committed and its unit attentions
     * established. The command is held till then, so a task whose connection closed meanwhile is answered as one
     * whose block request completes late; with the workers' backlog full the command ends BUSY without a change.
     */
    private static <T> void apply(ScsiCommand c, Supplier<T> change, Consumer<T> answer) {
        c.hold();
        boolean queued = c.lu.unit.reservations().change(change, c.queue.loop(), (result, failure) -> {
            try {
                if (failure instanceof CheckCondition cc) {
                    c.checkCondition(cc.sense());
                } else if (failure != null) {
                    LOG.error("SCSI command {} failed", ScsiTarget.hex(c.cdb), failure);
                    c.checkCondition(SenseData.internalTargetFailure());
                } else {
                    answer.accept(result);
                }
            } finally {
                c.release();
            }
        });
        if (!queued) {
            c.status(ScsiResponse.BUSY);
            c.release();
        }
    }

    private static void answer(ScsiCommand c, boolean done) {
        if (done) {
            c.good();
        } else {
            c.status(ScsiResponse.RESERVATION_CONFLICT);
        }
    }

    private static void scope(ScsiCommand c) {
        if (((c.cdb[2] >>> 4) & 0x0F) != SCOPE_LU) {
            throw CheckCondition.invalidFieldInCdb(2, 7);
        }
    }

    private static ReservationType scopeAndType(ScsiCommand c) {
        scope(c);
        ReservationType t = ReservationType.of(c.cdb[2] & 0x0F);
        if (t == null) {
            throw CheckCondition.invalidFieldInCdb(2, 3);
        }
        return t;
    }

    /** The parameter list, at least the 24 bytes every service action needs. */
    private static byte[] parameters(ScsiCommand c) {
        long length = Cdb.u32(c.cdb, 5);
        if (length < BASIC_LIST_LENGTH || length > MAX_LIST_LENGTH) {
            throw CheckCondition.parameterListLengthError();
        }
        return c.parameterList((int) length, 5);
    }

    /** SPC-4 6.16.3: exactly 24 bytes without SPEC_I_PT, which is refused. */
    private static byte[] basicParameters(ScsiCommand c) {
        byte[] p = parameters(c);
        if ((p[20] & SPEC_I_PT) != 0) {
            throw CheckCondition.invalidFieldInParameterList(20, 3);
        }
        if (p.length != BASIC_LIST_LENGTH) {
            throw CheckCondition.parameterListLengthError();
        }
        return p;
    }

    /** The APTPL bit; set without a state directory it is an invalid field (PTPL_C=0). */
    private static boolean aptpl(ScsiCommand c, byte flags, int at) {
        boolean aptpl = (flags & APTPL) != 0;
        if (aptpl && !c.lu.reservations.persistenceCapable()) {
            throw CheckCondition.invalidFieldInParameterList(at, 0);
        }
        return aptpl;
    }
}
