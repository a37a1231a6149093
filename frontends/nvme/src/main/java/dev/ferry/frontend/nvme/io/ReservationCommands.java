package dev.ferry.frontend.nvme.io;

import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.reservation.Registrant;
import dev.ferry.core.unit.reservation.ReservationEdit;
import dev.ferry.core.unit.reservation.ReservationEvent;
import dev.ferry.core.unit.reservation.ReservationState;
import dev.ferry.core.unit.reservation.ReservationState.Registration;
import dev.ferry.core.unit.reservation.ReservationState.Reservation;
import dev.ferry.core.unit.reservation.ReservationType;
import dev.ferry.core.unit.reservation.UnitReservations;
import dev.ferry.frontend.nvme.Limits;
import dev.ferry.frontend.nvme.NvmeQueue;
import dev.ferry.frontend.nvme.NvmeRequest;
import dev.ferry.frontend.nvme.spec.Opcodes;
import dev.ferry.frontend.nvme.spec.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reservation Register, Report, Acquire and Release (NVMe Base 2.0 7.5-7.8, 8.19) as transitions of the logical
 * unit's one reservation state ({@link UnitReservations}), the state SCSI PERSISTENT RESERVE uses too; every change
 * is computed and committed under its monitor. The host is {@link Registrant#nvmeHost}: a registration belongs to
 * the host (NQN and Host Identifier), whichever controller it came through.
 *
 * <pre>
 * Register  CDW10: RREGA 2:0 (0 register, 1 unregister, 2 replace) | IEKEY 3 | CPTPL 31:30; data CRKEY 0-7, NRKEY 8-15
 * Acquire   CDW10: RACQA 2:0 (0 acquire, 1 preempt, 2 preempt and abort) | IEKEY 3 | RTYPE 15:8; data CRKEY, PRKEY
 * Release   CDW10: RRELA 2:0 (0 release, 1 clear) | IEKEY 3 | RTYPE 15:8; data CRKEY 0-7
 * Report    CDW10: NUMD (0's based dwords) | CDW11: EDS 0
 * </pre>
 * The generation changes with every successful Register, preempt and clear (Figure 394 GEN), not with acquire or
 * release. Reservation keys are never zero: a zero NRKEY is Invalid Field, as SPDK answers (the unit's state uses
 * zero for "not registered", as SPC-4 does).
 */
public final class ReservationCommands {
    private static final Logger LOG = LoggerFactory.getLogger(ReservationCommands.class);
    static final int IEKEY = 1 << 3;
    static final int REGISTER_DATA = 16;
    static final int ACQUIRE_DATA = 16;
    static final int RELEASE_DATA = 8;
    /** Host data the commands accept at most: their structures are 8 or 16 bytes; more is read and ignored. */
    static final int MAX_DATA = 4096;
    static final int RREGA_REGISTER = 0;
    static final int RREGA_UNREGISTER = 1;
    static final int RREGA_REPLACE = 2;
    static final int RACQA_ACQUIRE = 0;
    static final int RACQA_PREEMPT = 1;
    static final int RACQA_PREEMPT_AND_ABORT = 2;
    static final int RRELA_RELEASE = 0;
    static final int RRELA_CLEAR = 1;
    // CPTPL, Register CDW10 31:30 (Figure 386): 00b no change, 01b reserved, 10b PTPL off, 11b PTPL on
    static final int CPTPL_NO_CHANGE = 0;
    static final int CPTPL_CLEAR = 2;
    static final int CPTPL_SET = 3;
    static final int EDS = 1;

    private ReservationCommands() {
    }

    public static boolean handles(int opc) {
        return opc == Opcodes.RESERVATION_REGISTER || opc == Opcodes.RESERVATION_REPORT
                || opc == Opcodes.RESERVATION_ACQUIRE || opc == Opcodes.RESERVATION_RELEASE;
    }

    /** Parses a reservation command for namespace unit {@code u}: the host data it needs, then its execution. */
    public static void parse(NvmeQueue q, NvmeRequest r, LogicalUnit u) {
        int needed = switch (r.opcode()) {
            case Opcodes.RESERVATION_REGISTER -> REGISTER_DATA;
            case Opcodes.RESERVATION_ACQUIRE -> ACQUIRE_DATA;
            case Opcodes.RESERVATION_RELEASE -> RELEASE_DATA;
            default -> 0;
        };
        long sgl = r.sglLength();
        r.unit(u);
        if (r.opcode() == Opcodes.RESERVATION_REPORT) {
            r.expectHostData(0, req -> report(q, req));
            return;
        }
        if (sgl < needed || sgl > MAX_DATA) {
            q.complete(r, Status.DATA_SGL_LENGTH_INVALID); // the keys do not fit, or far more than them was sent
            return;
        }
        r.expectHostData((int) sgl, req -> change(q, req, req.unit().reservations(), decode(q, req)));
    }

    /** The command with its keys read from the host data now (on the loop), to run where changes run. */
    private static Supplier<Integer> decode(NvmeQueue q, NvmeRequest r) {
        Registrant host = Registrant.nvmeHost(q.controller().hostNqn(), q.controller().hostId());
        UnitReservations shared = r.unit().reservations();
        ByteBuf d = r.hostData();
        int at = d.readerIndex();
        int cdw10 = r.cdw(10);
        long key = d.getLongLE(at);
        return switch (r.opcode()) {
            case Opcodes.RESERVATION_REGISTER -> {
                long nrkey = d.getLongLE(at + 8);
                yield () -> register(shared, host, cdw10, key, nrkey);
            }
            case Opcodes.RESERVATION_ACQUIRE -> {
                long prkey = d.getLongLE(at + 8);
                yield () -> acquire(shared, host, cdw10, key, prkey);
            }
            default -> () -> release(shared, host, cdw10, key);
        };
    }

    /**
     * Runs {@code change} (which returns the command's status and touches nothing of the request) where {@code
     * shared} runs changes ({@link UnitReservations#change}: off the loop when the commit may wait for storage) and
     * completes {@code r} with its status on the queue's loop once the change is committed and its notifications
     * queued. A request whose connection closed meanwhile is completed as one whose I/O ends late (the transport
     * drops the response and releases it); with the workers' backlog full it ends with Command Interrupted, which
     * the host retries, and nothing changed.
     */
    public static void change(NvmeQueue q, NvmeRequest r, UnitReservations shared, Supplier<Integer> change) {
        boolean queued = shared.change(change, q.transport().executor(), (status, failure) -> {
            if (failure != null) {
                LOG.error("nvme queue {}: reservation command {} failed", q.qid(), r.cid(), failure);
            }
            try {
                q.complete(r, failure == null ? status : Status.INTERNAL_ERROR);
            } catch (Throwable e) { // the host would wait for this command forever
                LOG.error("nvme queue {}: a reservation command's response failed, closing", q.qid(), e);
                q.transport().close();
            }
        });
        if (!queued) {
            q.complete(r, Status.COMMAND_INTERRUPTED);
        }
    }

    /** Reservation Register (Base 2.0 7.6, 8.19.3-8.19.4). */
    static int register(UnitReservations shared, Registrant host, int cdw10, long crkey, long nrkey) {
        int action = cdw10 & 0x7;
        boolean ignoreKey = (cdw10 & IEKEY) != 0;
        int cptpl = cdw10 >>> 30;
        if (action > RREGA_REPLACE || cptpl == 1 || (cptpl == CPTPL_SET && !shared.persistenceCapable())) {
            return Status.INVALID_FIELD;
        }
        if (action != RREGA_UNREGISTER && nrkey == 0) {
            return Status.INVALID_FIELD;
        }
        return shared.update(() -> {
            ReservationState s = shared.state();
            Registration own = s.registrations().get(host);
            ReservationEdit e = new ReservationEdit(s);
            switch (action) {
                case RREGA_REGISTER -> {
                    // CRKEY and IEKEY do not apply; registering again with the same key succeeds (8.19.3).
                    if (own != null) {
                        if (own.key() != nrkey) {
                            return Status.RESERVATION_CONFLICT;
                        }
                    } else if (s.registrations().size() >= UnitReservations.MAX_REGISTRATIONS) {
                        return Status.CAPACITY_EXCEEDED; // the unit's registration table is full
                    } else {
                        e.registrations.put(host, new Registration(nrkey));
                    }
                }
                case RREGA_UNREGISTER -> {
                    if (own == null || (!ignoreKey && own.key() != crkey)) {
                        return Status.RESERVATION_CONFLICT;
                    }
                    e.unregister(host);
                }
                default -> {
                    if (own == null || (!ignoreKey && own.key() != crkey)) {
                        return Status.RESERVATION_CONFLICT;
                    }
                    e.registrations.put(host, new Registration(nrkey));
                }
            }
            if (cptpl != CPTPL_NO_CHANGE) {
                e.aptpl = cptpl == CPTPL_SET;
            }
            return commit(shared, e, true);
        });
    }

    /**
     * Reservation Acquire (Base 2.0 7.5, 8.19.5, 8.19.10). IEKEY is reserved here since NVMe 1.3 (RESCAP.IEKEY):
     * Invalid Field, as nvmet answers. Preempt and abort changes the state exactly as preempt does; the preempted
     * hosts' commands that have not reached the backend yet are then refused by the I/O path's reservation check
     * (each I/O command checks again once its data has arrived), while those already submitted to the backend
     * complete: Ferry cannot recall a request from a backend, so it aborts nothing that is executing.
     */
    static int acquire(UnitReservations shared, Registrant host, int cdw10, long crkey, long prkey) {
        int action = cdw10 & 0x7;
        ReservationType type = ReservationTypes.of((cdw10 >>> 8) & 0xFF);
        if (action > RACQA_PREEMPT_AND_ABORT || (cdw10 & IEKEY) != 0 || type == null) {
            return Status.INVALID_FIELD;
        }
        return shared.update(() -> {
            ReservationState s = shared.state();
            Registration own = s.registrations().get(host);
            if (own == null || own.key() != crkey) {
                return Status.RESERVATION_CONFLICT;
            }
            ReservationEdit e = new ReservationEdit(s);
            if (action == RACQA_ACQUIRE) {
                if (s.reservation() != null) {
                    // Acquiring what one holds already succeeds without change; anything else conflicts (8.19.5).
                    return s.isHolder(host) && s.reservation().type() == type
                            ? Status.SUCCESS : Status.RESERVATION_CONFLICT;
                }
                e.reservation = new Reservation(type, type.allRegistrants() ? null : host);
                return commit(shared, e, false);
            }
            return switch (e.preempt(host, prkey, type)) {
                case ZERO_KEY -> Status.INVALID_FIELD;
                case NOTHING -> Status.RESERVATION_CONFLICT;
                case DONE -> commit(shared, e, true);
            };
        });
    }

    /**
     * Reservation Release (Base 2.0 7.7, 8.19.6-8.19.7): releasing without holding is success without effect; a
     * holder naming another type is Invalid Field. IEKEY is reserved, as for Acquire.
     */
    static int release(UnitReservations shared, Registrant host, int cdw10, long crkey) {
        int action = cdw10 & 0x7;
        if (action > RRELA_CLEAR || (cdw10 & IEKEY) != 0) {
            return Status.INVALID_FIELD;
        }
        return shared.update(() -> {
            ReservationState s = shared.state();
            Registration own = s.registrations().get(host);
            if (own == null || own.key() != crkey) {
                return Status.RESERVATION_CONFLICT;
            }
            ReservationEdit e = new ReservationEdit(s);
            if (action == RRELA_CLEAR) {
                e.notifyOthers(host, ReservationEvent.RESERVATION_PREEMPTED);
                e.registrations.clear();
                e.reservation = null;
                return commit(shared, e, true);
            }
            Reservation res = s.reservation();
            if (res == null || !s.isHolder(host)) {
                return Status.SUCCESS;
            }
            if (ReservationTypes.code(res.type()) != ((cdw10 >>> 8) & 0xFF)) {
                return Status.INVALID_FIELD;
            }
            e.reservation = null;
            if (res.type().admitsRegistrants()) {
                e.notifyOthers(host, ReservationEvent.RESERVATION_RELEASED);
            }
            return commit(shared, e, false);
        });
    }

    /**
     * Publishes the edit; PTPL stays as set (also with no registration left: the Persist Through Power Loss
     * feature is a setting of the namespace, not of a registration). Saving under PTPL failing is Internal Error
     * with the state unchanged.
     */
    private static int commit(UnitReservations shared, ReservationEdit e, boolean newGeneration) {
        try {
            shared.commit(e.next(newGeneration), e.events);
            return Status.SUCCESS;
        } catch (IOException ex) {
            LOG.error("cannot persist reservations (PTPL)", ex);
            return Status.INTERNAL_ERROR;
        }
    }

    /**
     * Reservation Report (Base 2.0 7.8): NUMD+1 dwords, checked against MDTS and the SGL before anything is
     * allocated; the structure is cut to that length or zero padded to it. EDS=0 is Host Identifier Inconsistent
     * Format ({@link ReservationReport}).
     */
    private static void report(NvmeQueue q, NvmeRequest r) {
        long length = ((r.cdw(10) & 0xFFFFFFFFL) + 1) * 4;
        if ((r.cdw(11) & EDS) == 0) {
            q.complete(r, Status.HOST_ID_INCONSISTENT_FORMAT);
            return;
        }
        if (length > Limits.MAX_DATA_TRANSFER) {
            q.complete(r, Status.INVALID_FIELD);
            return;
        }
        if (length > r.sglLength()) {
            q.complete(r, Status.DATA_SGL_LENGTH_INVALID);
            return;
        }
        ByteBuf whole = ReservationReport.build(r.unit().reservations().state());
        ByteBuf out = Unpooled.buffer((int) length, (int) length).writeZero((int) length);
        out.setBytes(0, whole, 0, Math.min(whole.readableBytes(), (int) length));
        whole.release();
        r.controllerData(out);
        q.complete(r, Status.SUCCESS);
    }
}
