package dev.ferry.frontend.nvme.admin;

import dev.ferry.core.config.ConfigValidator;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.frontend.nvme.Controller;
import dev.ferry.frontend.nvme.Limits;
import dev.ferry.frontend.nvme.NvmeQueue;
import dev.ferry.frontend.nvme.NvmeRequest;
import dev.ferry.frontend.nvme.spec.Opcodes;
import dev.ferry.frontend.nvme.spec.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The admin command set of an I/O or discovery controller (NVMe Base 2.0 5, Figure 138 and 3.1.3.3 for what a
 * discovery controller supports). None of these take host data; the data they return is bounded by MDTS.
 */
public final class AdminCommands {
    // Identify CNS values (Figure 273)
    public static final int CNS_NAMESPACE = 0x00;
    public static final int CNS_CONTROLLER = 0x01;
    public static final int CNS_ACTIVE_NAMESPACES = 0x02;
    public static final int CNS_NAMESPACE_DESCRIPTORS = 0x03;
    public static final int CNS_CSI_NAMESPACE = 0x05;
    public static final int CNS_CSI_CONTROLLER = 0x06;
    public static final int CNS_CSI_ACTIVE_NAMESPACES = 0x07;
    public static final int CNS_INDEPENDENT_NAMESPACE = 0x08;
    public static final int CNS_IO_COMMAND_SETS = 0x1C;
    private static final int SAVE = 1 << 31;
    private static final long NSID_BROADCAST = 0xFFFFFFFFL;

    private AdminCommands() {
    }

    public static void parse(NvmeQueue q, NvmeRequest r) {
        Controller c = q.controller();
        int opc = r.opcode();
        if (!c.properties().ready()) {
            q.complete(r, Status.COMMAND_SEQUENCE_ERROR); // admin commands wait for CC.EN = 1 and CSTS.RDY = 1
            return;
        }
        if (r.sglLength() > Limits.MAX_DATA_TRANSFER) {
            q.complete(r, Status.INVALID_FIELD); // MDTS bounds admin transfers too (Figure 275), before any buffer
            return;
        }
        switch (opc) {
            case Opcodes.IDENTIFY -> r.expectHostData(0, req -> identify(q, req));
            case Opcodes.GET_LOG_PAGE -> r.expectHostData(0, req -> LogPages.execute(q, req));
            case Opcodes.SET_FEATURES -> r.expectHostData(0, req -> setFeatures(q, req));
            case Opcodes.GET_FEATURES -> r.expectHostData(0, req -> getFeatures(q, req));
            case Opcodes.ASYNC_EVENT_REQUEST -> r.expectHostData(0, req -> c.events().hold(q, req));
            // Any command restarted the timer already (TBKAS). With KATO 0 it succeeds too, as SPDK (nvmet answers
            // Keep Alive Timeout Invalid, which helps no host). On an I/O queue it is an Invalid Opcode, as nvmet.
            case Opcodes.KEEP_ALIVE -> r.expectHostData(0, req -> q.complete(req, Status.SUCCESS));
            case Opcodes.ABORT -> {
                if (c.isDiscovery()) {
                    q.complete(r, Status.INVALID_OPCODE);
                } else {
                    // Best effort is allowed to be no effort (5.1): DW0 bit 0 = 1 says "not aborted".
                    r.expectHostData(0, req -> q.complete(req, Status.SUCCESS, 1));
                }
            }
            default -> q.complete(r, Status.INVALID_OPCODE);
        }
    }

    /**
     * Leniencies, as Linux nvmet and SPDK (none of these fields carries a security meaning): a CNS that does not use
     * NSID, CNTID or CSI ignores whatever the host put there; CNS 1Ch answers any CNTID, since every controller of
     * a subsystem supports the same command sets. Where the peers differ, the spec decides: an inactive NSID gets
     * zeroes for CNS 05h and 08h (nvmet answers Invalid Namespace, SPDK zeroes for 08h), an unsupported CSI gets
     * Invalid Field for CNS 05h/06h/07h (nvmet; SPDK answers zeroes for 05h/06h and Invalid Field for 07h).
     */
    private static void identify(NvmeQueue q, NvmeRequest r) {
        Controller c = q.controller();
        int cns = r.cdw(10) & 0xFF;
        int csi = r.cdw(11) >>> 24;
        long nsid = r.nsid();
        if (c.isDiscovery() && cns != CNS_CONTROLLER) {
            q.complete(r, Status.INVALID_FIELD);
            return;
        }
        boolean csiSpecific = cns == CNS_CSI_NAMESPACE || cns == CNS_CSI_CONTROLLER
                || cns == CNS_CSI_ACTIVE_NAMESPACES;
        if (csiSpecific && csi != IdentifyCommandSet.CSI_NVM) {
            q.complete(r, Status.INVALID_FIELD);
            return;
        }
        ByteBuf data;
        switch (cns) {
            case CNS_CONTROLLER -> data = IdentifyController.build(c, c.target().transport());
            case CNS_NAMESPACE, CNS_CSI_NAMESPACE, CNS_INDEPENDENT_NAMESPACE -> {
                if (nsid == 0 || nsid > ConfigValidator.MAX_NSID) {
                    q.complete(r, Status.INVALID_NAMESPACE);
                    return;
                }
                LogicalUnit u = c.namespace(nsid);
                // An inactive NSID gets a zero-filled structure (Figure 273).
                if (u == null) {
                    data = zeroes();
                } else if (cns == CNS_CSI_NAMESPACE) {
                    data = IdentifyCommandSet.nvmNamespace();
                } else if (cns == CNS_INDEPENDENT_NAMESPACE) {
                    data = IdentifyCommandSet.independentNamespace(IdentifyNamespace.build(u.descriptor(),
                            u.reservations().persistenceCapable()));
                } else {
                    data = IdentifyNamespace.build(u.descriptor(), u.reservations().persistenceCapable());
                }
            }
            case CNS_ACTIVE_NAMESPACES, CNS_CSI_ACTIVE_NAMESPACES -> {
                if (nsid >= NSID_BROADCAST - 1) {
                    q.complete(r, Status.INVALID_NAMESPACE);
                    return;
                }
                data = NamespaceLists.activeNamespaces(c.namespaces(), nsid); // every namespace is an NVM one
            }
            case CNS_NAMESPACE_DESCRIPTORS -> {
                LogicalUnit u = c.namespace(nsid);
                if (u == null) {
                    q.complete(r, Status.INVALID_NAMESPACE);
                    return;
                }
                data = NamespaceLists.descriptors(u.descriptor().identity());
            }
            case CNS_CSI_CONTROLLER -> data = IdentifyCommandSet.nvmController();
            case CNS_IO_COMMAND_SETS -> data = IdentifyCommandSet.ioCommandSets();
            default -> {
                q.complete(r, Status.INVALID_FIELD);
                return;
            }
        }
        r.controllerData(data);
        q.complete(r, Status.SUCCESS);
    }

    private static ByteBuf zeroes() {
        return Unpooled.buffer(4096, 4096).writeZero(4096);
    }

    private static void setFeatures(NvmeQueue q, NvmeRequest r) {
        Controller c = q.controller();
        int cdw10 = r.cdw(10);
        if ((cdw10 & SAVE) != 0) {
            q.complete(r, Status.FEATURE_NOT_SAVEABLE);
            return;
        }
        if (ReservationFeatures.handles(cdw10 & 0xFF)) {
            ReservationFeatures.set(q, r, cdw10 & 0xFF);
            return;
        }
        long[] result = new long[1];
        int status = c.features().set(cdw10 & 0xFF, r.cdw(11), result, IdentifyController.writeCachePresent(c));
        q.complete(r, status, result[0]);
    }

    /**
     * SEL (CDW10 10:8) is ignored, reserved values included, as nvmet and SPDK: without Save/Select support (ONCS
     * bit 4 clear) current, default and saved values coincide and a host has no reason to ask for capabilities.
     */
    private static void getFeatures(NvmeQueue q, NvmeRequest r) {
        Controller c = q.controller();
        if (ReservationFeatures.handles(r.cdw(10) & 0xFF)) {
            ReservationFeatures.get(q, r, r.cdw(10) & 0xFF);
            return;
        }
        long[] result = new long[1];
        int status = c.features().get(r.cdw(10) & 0xFF, result, IdentifyController.writeCachePresent(c));
        q.complete(r, status, result[0]);
    }
}
