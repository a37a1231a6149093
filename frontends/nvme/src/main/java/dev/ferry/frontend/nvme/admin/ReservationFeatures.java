package dev.ferry.frontend.nvme.admin;

import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.reservation.ReservationEdit;
import dev.ferry.core.unit.reservation.UnitReservations;
import dev.ferry.frontend.nvme.Controller;
import dev.ferry.frontend.nvme.NvmeQueue;
import dev.ferry.frontend.nvme.NvmeRequest;
import dev.ferry.frontend.nvme.ReservationNotifications;
import dev.ferry.frontend.nvme.io.ReservationCommands;
import dev.ferry.frontend.nvme.spec.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reservation features (NVMe Base 2.0 5.27.1), namespace-specific except the Host Identifier:
 * <ul>
 *   <li>Persist Through Power Loss (0Dh, 5.27.1.15): CDW11 / DW0 bit 0 PTPL. It is the unit's one persistence
 *       setting, the same SCSI sets with APTPL: kept in the unit's reservation state and stored atomically by its
 *       reservation store before it takes effect. PTPL=1 where the unit has no store is Invalid Field.</li>
 *   <li>Host Identifier (81h, 5.27.1.25): Get returns the 128-bit Host Identifier of the Connect (EXHID, CDW11
 *       bit 0, must be 1: a fabrics host has no 64-bit one); Set is Command Sequence Error, as nvmet answers: on
 *       fabrics the Host Identifier comes with Connect only.</li>
 *   <li>Reservation Notification Mask (82h, 5.27.1.24): CDW11 / DW0 bits 1-3 mask Registration Preempted,
 *       Reservation Released, Reservation Preempted for this controller; Set with NSID FFFFFFFFh masks every
 *       namespace, other bits are Invalid Field.</li>
 * </ul>
 */
public final class ReservationFeatures {
    public static final int PERSIST_THROUGH_POWER_LOSS = 0x0D;
    public static final int HOST_IDENTIFIER = 0x81;
    public static final int RESERVATION_NOTIFICATION_MASK = 0x82;
    static final int EXHID = 1;
    static final int HOST_ID_SIZE = 16;
    private static final long NSID_BROADCAST = 0xFFFFFFFFL;
    private static final Logger LOG = LoggerFactory.getLogger(ReservationFeatures.class);

    private ReservationFeatures() {
    }

    public static boolean handles(int fid) {
        return fid == PERSIST_THROUGH_POWER_LOSS || fid == HOST_IDENTIFIER || fid == RESERVATION_NOTIFICATION_MASK;
    }

    static void set(NvmeQueue q, NvmeRequest r, int fid) {
        Controller c = q.controller();
        int cdw11 = r.cdw(11);
        if (c.isDiscovery()) {
            q.complete(r, Status.INVALID_FIELD);
            return;
        }
        switch (fid) {
            case HOST_IDENTIFIER -> q.complete(r, Status.COMMAND_SEQUENCE_ERROR);
            case RESERVATION_NOTIFICATION_MASK -> {
                if ((cdw11 & ~ReservationNotifications.MASKABLE) != 0) {
                    q.complete(r, Status.INVALID_FIELD);
                    return;
                }
                if (r.nsid() == NSID_BROADCAST) {
                    c.namespaces().keySet().forEach(nsid -> c.reservationNotifications().mask(nsid, cdw11));
                } else if (c.namespace(r.nsid()) != null) {
                    c.reservationNotifications().mask(r.nsid(), cdw11);
                } else {
                    q.complete(r, Status.INVALID_NAMESPACE);
                    return;
                }
                q.complete(r, Status.SUCCESS, cdw11 & 0xFFFFFFFFL);
            }
            default -> {
                LogicalUnit u = c.namespace(r.nsid());
                if (u == null) {
                    q.complete(r, Status.INVALID_NAMESPACE);
                    return;
                }
                UnitReservations shared = u.reservations();
                boolean on = (cdw11 & 1) != 0;
                ReservationCommands.change(q, r, shared, () -> persistThroughPowerLoss(shared, on));
            }
        }
    }

    /**
     * Sets the unit's PTPL (SCSI's APTPL): saved first when it is or was on, nothing else of the state changes. Runs
     * where the unit's changes run ({@link ReservationCommands#change}), off the loop when saving may block.
     */
    static int persistThroughPowerLoss(UnitReservations shared, boolean on) {
        if (on && !shared.persistenceCapable()) {
            return Status.INVALID_FIELD;
        }
        return shared.update(() -> {
            ReservationEdit e = new ReservationEdit(shared.state());
            e.aptpl = on;
            try {
                shared.commit(e.next(false), e.events);
                return Status.SUCCESS;
            } catch (IOException ex) {
                LOG.error("cannot persist reservations (PTPL)", ex);
                return Status.INTERNAL_ERROR;
            }
        });
    }

    static void get(NvmeQueue q, NvmeRequest r, int fid) {
        Controller c = q.controller();
        if (c.isDiscovery()) {
            q.complete(r, Status.INVALID_FIELD);
            return;
        }
        if (fid == HOST_IDENTIFIER) {
            if ((r.cdw(11) & EXHID) == 0) {
                q.complete(r, Status.INVALID_FIELD);
                return;
            }
            if (r.sglLength() < HOST_ID_SIZE) {
                q.complete(r, Status.DATA_SGL_LENGTH_INVALID);
                return;
            }
            ByteBuf id = Unpooled.buffer(HOST_ID_SIZE, HOST_ID_SIZE);
            id.writeLong(c.hostId().getMostSignificantBits()).writeLong(c.hostId().getLeastSignificantBits());
            r.controllerData(id); // the bytes of the Connect's HOSTID, in order
            q.complete(r, Status.SUCCESS);
            return;
        }
        LogicalUnit u = c.namespace(r.nsid());
        if (u == null) {
            q.complete(r, Status.INVALID_NAMESPACE);
            return;
        }
        long value = fid == PERSIST_THROUGH_POWER_LOSS ? (u.reservations().state().aptpl() ? 1 : 0)
                : c.reservationNotifications().mask(r.nsid());
        q.complete(r, Status.SUCCESS, value);
    }
}
