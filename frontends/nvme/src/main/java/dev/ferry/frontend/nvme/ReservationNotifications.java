package dev.ferry.frontend.nvme;

import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.reservation.Registrant;
import dev.ferry.core.unit.reservation.ReservationEvent;
import dev.ferry.core.unit.reservation.ReservationListener;
import dev.ferry.frontend.nvme.admin.ReservationNotificationLog;
import io.netty.buffer.ByteBuf;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Reservation notifications of one controller (NVMe Base 2.0 8.19.2): the unit's reservation events that concern
 * this controller's host (whichever protocol caused them, SCSI included) become pages of the Reservation
 * Notification log, announced with the Reservation Log Page Available event, unless the host masked their type for
 * the namespace with the Reservation Notification Mask feature (82h). Events arrive on the thread that committed
 * the change, under the unit's reservation monitor; this object's monitor guards the rest.
 */
public final class ReservationNotifications {
    /** Completion DW0 (Figure 146): type 6h I/O command specific, information 00h, log page 80h. */
    public static final int LOG_PAGE_AVAILABLE = 0x00_80_00_06;
    /** Mask bits (5.27.1.24 Figure 337): REGPRE 1, RESREL 2, RESPRE 3, one per log page type. */
    public static final int MASKABLE = 1 << 1 | 1 << 2 | 1 << 3;

    private final Controller controller;
    private final Registrant host;
    private final ReservationNotificationLog log = new ReservationNotificationLog();
    /** One listener per unit, held here: the unit holds listeners weakly, so they live as long as the controller. */
    private final Map<LogicalUnit, ReservationListener> listeners = new IdentityHashMap<>();
    private final Map<Long, Integer> masks = new HashMap<>();

    ReservationNotifications(Controller controller) {
        this.controller = controller;
        this.host = Registrant.nvmeHost(controller.hostNqn(), controller.hostId());
    }

    /** Listens to the units behind the host's namespaces (again after each change of them). */
    synchronized void watch(Map<Long, LogicalUnit> namespaces) {
        listeners.keySet().retainAll(namespaces.values());
        masks.keySet().retainAll(namespaces.keySet());
        for (LogicalUnit u : namespaces.values()) {
            listeners.computeIfAbsent(u, unit -> {
                ReservationListener l = (who, event) -> notified(unit, who, event);
                unit.reservations().addListener(l);
                return l;
            });
        }
    }

    private void notified(LogicalUnit unit, Registrant who, ReservationEvent event) {
        if (!who.equals(host) || controller.isDeleted()) {
            return;
        }
        int type = switch (event) {
            case REGISTRATION_PREEMPTED -> ReservationNotificationLog.REGISTRATION_PREEMPTED;
            case RESERVATION_RELEASED -> ReservationNotificationLog.RESERVATION_RELEASED;
            case RESERVATION_PREEMPTED -> ReservationNotificationLog.RESERVATION_PREEMPTED;
        };
        boolean added = false;
        synchronized (this) {
            for (Map.Entry<Long, LogicalUnit> ns : controller.namespaces().entrySet()) {
                if (ns.getValue() == unit && (mask(ns.getKey()) & 1 << type) == 0) {
                    log.add(type, ns.getKey());
                    added = true;
                }
            }
        }
        if (added) {
            controller.events().raise(LOG_PAGE_AVAILABLE, controller.adminQueue());
        }
    }

    public synchronized int mask(long nsid) {
        return masks.getOrDefault(nsid, 0);
    }

    public synchronized void mask(long nsid, int mask) {
        masks.put(nsid, mask);
    }

    /**
     * The log page for Get Log Page 80h. Read without RAE it re-arms the event, which is raised again at once while
     * more notifications wait (5.2.1: an event type stays masked until its log page is read).
     */
    public ByteBuf logPage(boolean retainEvent) {
        ByteBuf page = log.take();
        if (!retainEvent) {
            controller.events().rearm(LOG_PAGE_AVAILABLE);
            if (!log.isEmpty()) {
                controller.events().raise(LOG_PAGE_AVAILABLE, controller.adminQueue());
            }
        }
        return page;
    }
}
