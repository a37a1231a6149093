package dev.ferry.frontend.nvme.fabrics;

import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.InitiatorAccess;
import dev.ferry.frontend.nvme.Ana;
import dev.ferry.frontend.nvme.Controller;
import dev.ferry.frontend.nvme.Limits;
import dev.ferry.frontend.nvme.NvmeQueue;
import dev.ferry.frontend.nvme.NvmeRequest;
import dev.ferry.frontend.nvme.NvmeTarget;
import dev.ferry.frontend.nvme.auth.AuthSpec;
import dev.ferry.frontend.nvme.auth.QueueAuthentication;
import dev.ferry.frontend.nvme.spec.Status;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connect (NVMe Base 2.0 6.3): an admin-queue Connect creates a controller (dynamic model, CNTLID FFFFh), an I/O
 * queue Connect joins an existing one. A refusal names the offending field in DW0 (Figure 479: IPO 15:0 = byte
 * offset, IATTR bit 16 = the offset is into the Connect data rather than the SQE) and touches nothing else.
 */
final class ConnectCommand {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectCommand.class);

    static final int DATA_SIZE = 1024;
    // SQE fields (Figure 476)
    static final int RECFMT = 40;
    static final int QID = 42;
    static final int SQSIZE = 44;
    static final int CATTR = 46;
    static final int KATO = 48;
    // Connect data (Figure 478)
    static final int HOSTID = 0;
    static final int CNTLID = 16;
    static final int SUBNQN = 256;
    static final int HOSTNQN = 512;
    static final int NQN_FIELD = 256;
    static final int DYNAMIC_CNTLID = 0xFFFF;
    /** CATTR bit 2: disable SQ flow control. */
    static final int CATTR_DISSQFC = 1 << 2;
    private static final long IATTR_DATA = 1L << 16;

    private ConnectCommand() {
    }

    static void execute(NvmeQueue queue, NvmeRequest r) {
        if (queue.isClosed()) {
            // The connection went while the Connect data arrived: a controller made now would have no queue to
            // delete it. Transports drop a closed queue's completions.
            queue.complete(r, Status.COMMAND_SEQUENCE_ERROR);
            return;
        }
        ByteBuf sqe = r.sqe();
        ByteBuf data = r.hostData();
        if (sqe.getUnsignedShortLE(RECFMT) != 0) {
            queue.complete(r, Status.CONNECT_INCOMPATIBLE_FORMAT);
            return;
        }
        int qid = sqe.getUnsignedShortLE(QID);
        int sqsize = sqe.getUnsignedShortLE(SQSIZE);
        boolean disableFlowControl = (sqe.getUnsignedByte(CATTR) & CATTR_DISSQFC) != 0;
        long kato = sqe.getUnsignedIntLE(KATO);
        int di = data.readerIndex();
        UUID hostId = new UUID(data.getLong(di + HOSTID), data.getLong(di + HOSTID + 8));
        int cntlid = data.getUnsignedShortLE(di + CNTLID);
        String subnqn = nqn(data, di + SUBNQN);
        String hostnqn = nqn(data, di + HOSTNQN);

        // SQSIZE is 0's based; the admin queue is bounded by the ASQSZ the discovery log advertises (Figure 294).
        int maxEntries = qid == 0 ? Limits.ADMIN_QUEUE_ENTRIES : Limits.MAX_QUEUE_ENTRIES;
        if (sqsize == 0 || sqsize > maxEntries - 1) {
            invalidParameter(queue, r, SQSIZE);
            return;
        }
        if (hostnqn.isEmpty()) {
            queue.complete(r, Status.CONNECT_INVALID_HOST, IATTR_DATA | HOSTNQN);
            return;
        }
        NvmeTarget target = queue.target();
        boolean discovery = NvmeTarget.DISCOVERY_NQN.equals(subnqn);
        Export export = discovery ? null : target.subsystem(subnqn);
        if (!discovery && export == null) {
            invalidParameter(queue, r, IATTR_DATA | SUBNQN);
            return;
        }
        if (export != null && !export.admits(hostnqn)) {
            LOG.info("nvme host {} not allowed to connect to {}", hostnqn, subnqn);
            queue.complete(r, Status.CONNECT_INVALID_HOST, IATTR_DATA | HOSTNQN);
            return;
        }
        if (qid == 0) {
            connectAdmin(queue, r, subnqn, export, hostnqn, hostId, cntlid, sqsize, kato, disableFlowControl);
        } else {
            connectIo(queue, r, subnqn, hostnqn, cntlid, qid, sqsize, disableFlowControl);
        }
    }

    /** The explicit access group of the port the host connected through, or 0 (CNTLIDs from the whole space). */
    private static int accessGroupOf(NvmeQueue queue, Export export) {
        if (export == null || !export.accessGroups().layout().explicit()) {
            return 0;
        }
        return export.accessGroups().layout().groupOf(Ana.portalOf(queue.target().transport(),
                queue.transport().localAddress())).id();
    }

    private static void connectAdmin(NvmeQueue queue, NvmeRequest r, String subnqn, Export export, String hostnqn,
                                     UUID hostId, int cntlid, int sqsize, long kato, boolean disableFlowControl) {
        if (cntlid != DYNAMIC_CNTLID) {
            invalidParameter(queue, r, IATTR_DATA | CNTLID); // only the dynamic controller model exists here
            return;
        }
        Controller c = queue.target().createController(subnqn, export, hostnqn, hostId, kato,
                accessGroupOf(queue, export));
        if (c == null) {
            queue.complete(r, Status.CONNECT_CONTROLLER_BUSY);
            return;
        }
        if (!c.attach(0, queue)) {
            // Deleted as it was created: a reconfiguration since the checks above took the host's access.
            queue.complete(r, Status.CONNECT_INVALID_HOST, IATTR_DATA | HOSTNQN);
            return;
        }
        queue.bind(c, 0, sqsize + 1, disableFlowControl);
        LOG.info("nvme controller {} of {} created for {} (kato {} ms)", c.cntlid(), subnqn, hostnqn, kato);
        queue.complete(r, Status.SUCCESS, c.cntlid() | authenticationRequired(queue, c, export, hostnqn));
    }

    private static void connectIo(NvmeQueue queue, NvmeRequest r, String subnqn, String hostnqn, int cntlid,
                                  int qid, int sqsize, boolean disableFlowControl) {
        // Leniency: the Host Identifier is not compared with the admin queue's. nvmet and SPDK both match an I/O
        // queue to its controller by CNTLID, SUBNQN and HOSTNQN only. It grants nothing: the controller (and its
        // reservation identity) keeps the admin queue's identifier, and access is the HOSTNQN's, checked above.
        Controller c = queue.target().controller(subnqn, cntlid);
        if (c == null || c.isDiscovery()) {
            invalidParameter(queue, r, IATTR_DATA | CNTLID);
            return;
        }
        if (!c.hostNqn().equals(hostnqn)) {
            invalidParameter(queue, r, IATTR_DATA | HOSTNQN);
            return;
        }
        if (!c.properties().ready()) {
            queue.complete(r, Status.COMMAND_SEQUENCE_ERROR); // I/O queues only after CC.EN and CSTS.RDY
            return;
        }
        if (qid > c.ioQueueLimit() || !c.attach(qid, queue)) {
            invalidParameter(queue, r, QID); // beyond Number of Queues, or that queue already exists
            return;
        }
        // An unauthenticated host never gets here: CSTS.RDY needs Property Set, refused until the admin queue
        // authenticated. This queue authenticates on its own as well (TP 8006).
        queue.bind(c, qid, sqsize + 1, disableFlowControl);
        queue.complete(r, Status.SUCCESS, c.cntlid() | authenticationRequired(queue, c, c.export(), hostnqn));
    }

    /**
     * When the host's ACL entry has a DH-HMAC-CHAP secret, the queue must authenticate first: AUTHREQ.ATR in the
     * response (Base 2.0 6.3) tells the host so.
     */
    private static long authenticationRequired(NvmeQueue queue, Controller c, Export export, String hostnqn) {
        InitiatorAccess access = export == null ? null : export.access(hostnqn);
        if (access == null || access.dhchap() == null) {
            return 0;
        }
        queue.requireAuthentication(new QueueAuthentication(c, System.nanoTime()));
        return AuthSpec.CONNECT_AUTHREQ_ATR;
    }

    private static void invalidParameter(NvmeQueue queue, NvmeRequest r, long offsetAndAttribute) {
        queue.complete(r, Status.CONNECT_INVALID_PARAMETERS, offsetAndAttribute);
    }

    /** An NQN field: UTF-8, NUL terminated or padded within 256 bytes. */
    static String nqn(ByteBuf data, int offset) {
        int end = offset;
        while (end < offset + NQN_FIELD && data.getByte(end) != 0) {
            end++;
        }
        return data.toString(offset, end - offset, StandardCharsets.UTF_8).trim();
    }
}
