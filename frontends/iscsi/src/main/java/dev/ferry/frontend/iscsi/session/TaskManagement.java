package dev.ferry.frontend.iscsi.session;

import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.RejectPdu;
import dev.ferry.frontend.iscsi.pdu.TargetPdu;
import dev.ferry.frontend.iscsi.pdu.TaskMgmtPdu;
import dev.ferry.frontend.scsi.ItNexus;
import dev.ferry.frontend.scsi.Luns;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Task management on a connection (RFC 7143 11.5, 11.6; SAM-5 7): aborts tasks and queued commands, resets LUNs
 * and the target, and answers each function once every task it aborted has left the backend; also carries out
 * another initiator's PREEMPT AND ABORT on this session's tasks.
 */
final class TaskManagement {
    private static final Logger LOG = LoggerFactory.getLogger(TaskManagement.class);

    /** A task management response waiting for aborted tasks to leave the backend. */
    private static final class Wait {
        final Set<IscsiTask> tasks;
        final IscsiPdu response;
        final boolean closeAfter;

        Wait(Set<IscsiTask> tasks, IscsiPdu response, boolean closeAfter) {
            this.tasks = tasks;
            this.response = response;
            this.closeAfter = closeAfter;
        }
    }

    private final IscsiConnection c;
    private final List<Wait> waits = new ArrayList<>();

    TaskManagement(IscsiConnection c) {
        this.c = c;
    }

    void request(IscsiPdu pdu) {
        try {
            int fn = TaskMgmtPdu.function(pdu);
            long lun = pdu.lun();
            int itt = pdu.itt();
            if (c.session.discovery()) {
                c.reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                return;
            }
            switch (fn) {
                case TaskMgmtPdu.ABORT_TASK -> abortTask(pdu, itt, lun);
                case TaskMgmtPdu.ABORT_TASK_SET, TaskMgmtPdu.CLEAR_TASK_SET -> {
                    if (!lunExists(lun)) {
                        respond(itt, TaskMgmtPdu.LUN_DOES_NOT_EXIST);
                        return;
                    }
                    abortAndRespond(itt, collect(lun, TargetPdu.cmdSn(pdu)), false);
                }
                case TaskMgmtPdu.LOGICAL_UNIT_RESET -> {
                    if (!lunExists(lun)) {
                        respond(itt, TaskMgmtPdu.LUN_DOES_NOT_EXIST);
                        return;
                    }
                    Set<IscsiTask> victims = collect(lun, TargetPdu.cmdSn(pdu));
                    try {
                        c.target.logicalUnitReset(lun, c.session.nexus);
                    } catch (RuntimeException e) {
                        LOG.warn("{}: logical unit reset of LUN {} failed", c.ctx.channel(), lun, e);
                    }
                    abortAndRespond(itt, victims, false);
                }
                case TaskMgmtPdu.TARGET_WARM_RESET, TaskMgmtPdu.TARGET_COLD_RESET -> {
                    Set<IscsiTask> victims = collect(null, TargetPdu.cmdSn(pdu));
                    try {
                        c.target.targetReset(c.session.nexus);
                    } catch (RuntimeException e) {
                        LOG.warn("{}: target reset failed", c.ctx.channel(), e);
                    }
                    abortAndRespond(itt, victims, fn == TaskMgmtPdu.TARGET_COLD_RESET);
                }
                case TaskMgmtPdu.TASK_REASSIGN -> respond(itt, TaskMgmtPdu.REASSIGNMENT_NOT_SUPPORTED);
                default -> respond(itt, TaskMgmtPdu.FUNCTION_NOT_SUPPORTED);
            }
        } finally {
            pdu.release();
        }
    }

    private void abortTask(IscsiPdu pdu, int itt, long lun) {
        int ref = TaskMgmtPdu.referencedTaskTag(pdu);
        IscsiTask t = c.tasks.get(ref);
        if (t != null) {
            if (t.lun != lun && !lunExists(lun)) {
                respond(itt, TaskMgmtPdu.LUN_DOES_NOT_EXIST);
                return;
            }
            abortAndRespond(itt, new HashSet<>(List.of(t)), false);
            return;
        }
        if (!lunExists(lun)) {
            respond(itt, TaskMgmtPdu.LUN_DOES_NOT_EXIST);
            return;
        }
        // 11.6.1: the task is unknown. Waiting in our CmdSN queue: drop it; its CmdSN counts as received.
        if (c.window.dropQueuedTask(ref)
                || c.window.skipUnreceived(TaskMgmtPdu.refCmdSn(pdu), TargetPdu.cmdSn(pdu))) {
            respond(itt, TaskMgmtPdu.FUNCTION_COMPLETE);
        } else {
            respond(itt, TaskMgmtPdu.TASK_DOES_NOT_EXIST);
        }
    }

    /** Tasks on {@code lun} (every LUN when null), plus queued commands before the TMF, which are dropped. */
    private Set<IscsiTask> collect(Long lun, int tmfCmdSn) {
        Set<IscsiTask> victims = new HashSet<>();
        for (IscsiTask t : c.tasks.snapshot()) {
            if (lun == null || t.lun == lun) {
                victims.add(t);
            }
        }
        c.window.dropQueuedCommands(lun, tmfCmdSn);
        return victims;
    }

    /**
     * Aborts the tasks and answers "Function complete" once none of them is still in the backend: a task waiting for
     * Data-Out ends at once; one in the backend is marked aborted and its response suppressed.
     */
    private void abortAndRespond(int itt, Set<IscsiTask> victims, boolean closeAfter) {
        Set<IscsiTask> waiting = new HashSet<>();
        for (IscsiTask t : victims) {
            t.aborted = true;
            if (t.state == IscsiTask.State.COLLECTING) {
                c.commands.end(t);
            } else if (t.state == IscsiTask.State.EXECUTING) {
                waiting.add(t);
            }
        }
        IscsiPdu response = TaskMgmtPdu.response(itt, TaskMgmtPdu.FUNCTION_COMPLETE);
        if (waiting.isEmpty()) {
            send(response, closeAfter);
        } else {
            LOG.debug("{}: TMF waits for {} task(s) in the backend", c.ctx.channel(), waiting.size());
            waits.add(new Wait(waiting, response, closeAfter));
        }
        c.logout.maybeFinish();
    }

    private void respond(int itt, int response) {
        c.send(TaskMgmtPdu.response(itt, response), true);
    }

    private void send(IscsiPdu response, boolean closeAfter) {
        if (c.phase == IscsiConnection.Phase.CLOSED) {
            response.release();
            return;
        }
        c.send(response, true);
        if (closeAfter) {
            c.closeAfterFlush("target cold reset");
        } else {
            c.flush();
        }
    }

    /** A task left the table: release TMF responses that waited for it and a pending logout. */
    void taskGone(IscsiTask t) {
        if (!waits.isEmpty()) {
            for (Iterator<Wait> it = waits.iterator(); it.hasNext(); ) {
                Wait w = it.next();
                if (w.tasks.remove(t) && w.tasks.isEmpty()) {
                    it.remove();
                    send(w.response, w.closeAfter);
                }
            }
        }
        c.logout.maybeFinish();
    }

    /**
     * PREEMPT AND ABORT by one of this connection's tasks: the sessions of the same target whose nexus was preempted
     * abort their tasks on the LUN, each on its own loop.
     */
    void abortTasksOf(long lun, Predicate<ItNexus> preempted) {
        for (IscsiSession s : c.services.sessions().all()) {
            if (s.nexus != null && s != c.session && s.export.name().equalsIgnoreCase(c.session.export.name())
                    && preempted.test(s.nexus)) {
                s.connection.tmf.preemptedOn(lun);
            }
        }
    }

    /**
     * Another I_T nexus preempted this one with PREEMPT AND ABORT (SPC-4 5.13.11.2.5): its tasks on the LUN are
     * aborted and, as the Control mode page has TAS=1, end with TASK ABORTED (SAM-5 5.6). A task still collecting
     * Data-Out ends at once; one in the backend when it comes back.
     */
    private void preemptedOn(long lun) {
        c.ctx.executor().execute(() -> {
            for (IscsiTask t : c.tasks.snapshot()) {
                if (t.aborted || t.preempted || Luns.decode(t.lun) != lun) {
                    continue;
                }
                t.preempted = true;
                if (t.state == IscsiTask.State.COLLECTING) {
                    c.commands.end(t);
                    if (c.phase != IscsiConnection.Phase.CLOSED) {
                        c.commands.sendTaskAborted(t);
                    }
                    taskGone(t);
                }
            }
            c.flushSoon();
        });
    }

    /** Whether the LUN names a unit this session's initiator sees: a masked one does not exist for it. */
    private boolean lunExists(long lun) {
        return c.target.hasLun(lun, c.session.nexus);
    }

    /** The connection is gone: responses still waiting are dropped. */
    void clear() {
        for (Wait w : waits) {
            w.response.release();
        }
        waits.clear();
    }
}
