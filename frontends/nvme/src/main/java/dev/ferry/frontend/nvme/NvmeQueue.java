package dev.ferry.frontend.nvme;

import dev.ferry.frontend.nvme.admin.AdminCommands;
import dev.ferry.frontend.nvme.auth.AuthSpec;
import dev.ferry.frontend.nvme.auth.QueueAuthentication;
import dev.ferry.frontend.nvme.fabrics.FabricsCommands;
import dev.ferry.frontend.nvme.io.IoCommands;
import dev.ferry.frontend.nvme.spec.Opcodes;
import dev.ferry.frontend.nvme.spec.Sqe;
import dev.ferry.frontend.nvme.spec.Status;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One submission/completion queue pair, i.e. one transport connection (nvmet's {@code struct nvmet_sq}). Before
 * Connect it belongs to no controller and takes only Connect; afterwards qid 0 runs the admin command set and
 * other qids the NVM I/O command set. Everything here runs on the connection's event loop.
 */
public final class NvmeQueue {
    private static final Logger LOG = LoggerFactory.getLogger(NvmeQueue.class);
    private static final VarHandle LAST_COMMAND_NANOS;

    static {
        try {
            LAST_COMMAND_NANOS = MethodHandles.lookup().findVarHandle(NvmeQueue.class, "lastCommandNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final NvmeTarget target;
    private final QueueTransport transport;
    private final IoCommands io;
    private final RequestPool requests = new RequestPool();
    /**
     * When this queue last received a command (System.nanoTime): written by this queue's loop alone, read by the
     * keep-alive timer through {@link #lastCommandNanos()}. Opaque access: atomic, no fence, no line shared with
     * another queue (every queue used to write one field of its controller for every command).
     */
    @SuppressWarnings("unused") // through LAST_COMMAND_NANOS
    private long lastCommandNanos = System.nanoTime();
    private Controller controller;
    private int qid;
    private int entries;
    private int consumed;
    /** Commands received and not yet completed (or dropped): at most {@link #entries}, the SQ's size. */
    private int outstanding;
    private boolean flowControlDisabled;
    private boolean connectReceived;
    private boolean closed;
    /** DH-HMAC-CHAP state when the host's ACL entry has a secret, else null. */
    private volatile QueueAuthentication authentication;

    NvmeQueue(NvmeTarget target, QueueTransport transport) {
        this.target = target;
        this.transport = transport;
        this.io = new IoCommands(this);
    }

    public NvmeTarget target() { return target; }
    public QueueTransport transport() { return transport; }
    /** The controller after a successful Connect, else null. */
    public Controller controller() { return controller; }
    public int qid() { return qid; }
    /** Entries of this queue (Connect SQSIZE + 1, 0's based there), or 0 before Connect. */
    public int entries() { return entries; }
    /** The host set CATTR.DISSQFC in Connect: SQHD is not reported, and C2H data may carry SUCCESS. */
    public boolean flowControlDisabled() { return flowControlDisabled; }
    /** This queue's in-band authentication, or null when the host need not authenticate. */
    public QueueAuthentication authentication() { return authentication; }

    /** Whether commands other than authentication may run (Base 2.0 8.13: none before the host authenticated). */
    public boolean authenticated() {
        QueueAuthentication a = authentication;
        return a == null || a.authenticated();
    }

    /** Connect found a secret for the host: the queue takes only authentication until it succeeded. */
    public void requireAuthentication(QueueAuthentication a) {
        this.authentication = a;
    }

    /** Whether an authentication transaction on this queue outlived its deadline (any thread). */
    boolean authenticationExpired(long nowNanos) {
        QueueAuthentication a = authentication;
        return a != null && a.expired(nowNanos);
    }

    /** The transport's connection closed: nothing may join a controller through this queue any more. */
    public boolean isClosed() { return closed; }

    /**
     * A request for a newly arrived command, from this queue's pool; null when {@link #entries()} (before Connect:
     * one) plus one are in use, one more than a transport that bounds its commands before asking ever needs, so
     * that {@link #receive} itself can refuse a host that ignores SQ flow control.
     */
    public NvmeRequest request() {
        return requests.acquire(Math.max(1, entries) + 1);
    }

    /** Requests of this queue in use (taken and not released). */
    public int requestsInUse() {
        return requests.inUse();
    }

    /** When this queue last received a command, for the controller's keep-alive timer (any thread). */
    long lastCommandNanos() {
        return (long) LAST_COMMAND_NANOS.getOpaque(this);
    }

    /**
     * A Connect arrived: true for the first one only. A queue takes exactly one Connect, so a second one, even while
     * the first still waits for its data, cannot make a second controller that nothing would ever delete.
     */
    public boolean acceptConnect() {
        if (connectReceived || controller != null) {
            return false;
        }
        connectReceived = true;
        return true;
    }

    /**
     * A capsule arrived. Parses it and either completes it at once (invalid command) or states how much host data
     * it needs ({@link NvmeRequest#hostDataLength()}); the transport then fetches that and calls {@link #execute}.
     */
    public void receive(NvmeRequest r) {
        consumed++;
        if (entries > 0 && outstanding >= entries) {
            // The host ignored SQ flow control: more commands than the SQSIZE it asked for. Like nvmet running out
            // of command slots, the connection ends rather than buffering.
            LOG.warn("nvme queue {} of controller {}: more than {} outstanding commands, closing", qid,
                    controller.cntlid(), entries);
            complete(r, Status.COMMAND_SEQUENCE_ERROR);
            transport.close();
            return;
        }
        outstanding++;
        r.admit(this);
        try {
            if (controller != null) {
                // Any command restarts the keep-alive timer (CTRATT.TBKAS, Base 2.0 3.9.4 traffic based keep alive).
                LAST_COMMAND_NANOS.setOpaque(this, System.nanoTime());
            }
            if (Sqe.psdt(r.sqe()) == Sqe.PSDT_PRP) {
                complete(r, Status.INVALID_FIELD); // fabrics commands always describe data with SGLs
            } else if (r.opcode() == Opcodes.FABRICS) {
                FabricsCommands.parse(this, r);
            } else if (controller == null) {
                complete(r, Status.COMMAND_SEQUENCE_ERROR);
            } else if (!authenticated()) {
                complete(r, AuthSpec.AUTHENTICATION_REQUIRED);
            } else if (qid == 0) {
                AdminCommands.parse(this, r);
            } else {
                io.parse(r);
            }
        } catch (Throwable t) {
            failed(r, "parse", t);
        }
    }

    /** The host data is in place (or none was needed): run the command. */
    public void execute(NvmeRequest r) {
        try {
            r.handler().accept(r);
        } catch (Throwable t) {
            failed(r, "execute", t);
        }
    }

    /**
     * A handler threw, an Error included (an OutOfMemoryError above all): the command ends with Internal Error so
     * that the event loop and the connection's other commands go on. When it was already completed (the failure
     * came while its response was handed over) or even that fails, the host would wait forever: the connection
     * closes instead.
     */
    private void failed(NvmeRequest r, String stage, Throwable t) {
        if (r.isCompleted()) { // and perhaps released already: its SQE is not read any more
            LOG.error("nvme queue {}: a command's response failed, closing", qid, t);
            transport.close();
            return;
        }
        LOG.error("nvme queue {}: command {} (opcode {}) failed to {}", qid, r.cid(), r.opcode(), stage, t);
        try {
            complete(r, Status.INTERNAL_ERROR);
        } catch (Throwable again) {
            LOG.error("nvme queue {}: could not complete the failed command, closing", qid, again);
            transport.close();
        }
    }

    /** A request admitted by {@link #receive} was completed or dropped. Loop thread only. */
    void ended() {
        outstanding--;
    }

    public void complete(NvmeRequest r, int status) {
        complete(r, status, 0);
    }

    /**
     * Completes a request once: sets the CQE fields and hands it to the transport, which writes the CQE ({@link
     * NvmeRequest#writeCqe}) where it sends it. Loop thread only.
     */
    public void complete(NvmeRequest r, int status, long result) {
        if (r.isCompleted()) {
            return;
        }
        r.result(result);
        // SQHD: entries consumed so far; reserved (0) once the host disabled SQ flow control.
        r.markCompleted(status, entries == 0 || flowControlDisabled ? 0 : consumed % entries, qid);
        transport.complete(r);
    }

    /** Connect succeeded: this queue now belongs to {@code c} as queue {@code id} with {@code size} entries. */
    public void bind(Controller c, int id, int size, boolean disableFlowControl) {
        this.controller = c;
        this.qid = id;
        this.entries = size;
        this.flowControlDisabled = disableFlowControl;
        LAST_COMMAND_NANOS.setOpaque(this, System.nanoTime());
    }

    /** The transport's connection closed; tells the controller (which may delete itself). */
    public void closed() {
        closed = true;
        if (controller != null) {
            controller.queueClosed(qid, this);
        }
        io.closed();
    }
}
