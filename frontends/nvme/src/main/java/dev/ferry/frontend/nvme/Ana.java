package dev.ferry.frontend.nvme;

import dev.ferry.core.access.AccessGroups;
import dev.ferry.core.access.AccessState;
import dev.ferry.core.access.AccessStateListener;
import dev.ferry.core.config.Portal;
import dev.ferry.core.unit.Export;
import dev.ferry.frontend.nvme.spec.Status;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * Asymmetric Namespace Access (NVMe Base 2.0 8.1) from the core's access groups. A controller's ANA state is the
 * state of the access group its port (the portal its admin queue connected to) is in, as Linux nvmet keeps an ANA
 * state per port. All namespaces of a subsystem are in one ANA group, {@link #GROUP_ID}: on one node every
 * namespace is reachable through the same ports, so one group is enough, and a namespace's ANAGRPID is the same
 * through every controller, as 8.1.2 requires; what differs per controller is that group's state. The groups of
 * the core (ports) are therefore not ANA groups (namespaces): a multi-node gateway adds ANA groups per unit.
 */
public final class Ana {
    /** The ANA group of every namespace (Identify Namespace ANAGRPID, the ANA log's only descriptor). */
    public static final int GROUP_ID = 1;
    /** Asynchronous event DW0 (Figure 146/151): Notice (2h), ANA Change (03h), log page 0Ch. */
    public static final int ANA_CHANGE_EVENT = 0x00_0C_03_02;
    /** Asynchronous Event Configuration and OAES bit 11: ANA Change Notices (Figure 323, 275). */
    public static final int AEC_ANA_CHANGE = 1 << 11;
    /** Path Related Status (Base 2.0 4.2.3.4 Figure 103), SCT 3h; without DNR: the host retries on another path. */
    static final int SCT_PATH = 3;
    public static final int ANA_PERSISTENT_LOSS = Status.of(SCT_PATH, 0x01, false);
    public static final int ANA_INACCESSIBLE = Status.of(SCT_PATH, 0x02, false);
    public static final int ANA_TRANSITION = Status.of(SCT_PATH, 0x03, false);

    // Identify Controller (Figure 275)
    static final int CMIC_ANA = 1 << 3;
    public static final int ANATT = 343;
    public static final int ANACAP = 344;
    public static final int ANAGRPMAX = 345;
    public static final int NANAGRPID = 349;
    public static final int MNAN = 540;
    /** Seconds a host waits in ANA Change before it gives up on the path; nvmet answers 10. */
    static final int TRANSITION_TIME_SECONDS = 10;
    /**
     * ANACAP: bits 0-2 and 4 the states reported (optimized, non-optimized, inaccessible, change; not persistent
     * loss), bit 6 ANAGRPID does not change while the namespace is attached.
     */
    static final int ANACAP_REPORTED = 1 | 1 << 1 | 1 << 2 | 1 << 4 | 1 << 6;
    /** Identify Namespace ANAGRPID (NVM Command Set 1.0 Figure 97). */
    public static final int NS_ANAGRPID = 92;

    private Ana() {
    }

    /** The ANA fields of Identify Controller; ANA reporting is always on, as in nvmet. */
    public static void identifyController(ByteBuf b) {
        b.setByte(Identify.CMIC, b.getByte(Identify.CMIC) | CMIC_ANA);
        b.setIntLE(Identify.OAES, b.getIntLE(Identify.OAES) | AEC_ANA_CHANGE);
        b.setByte(ANATT, TRANSITION_TIME_SECONDS);
        b.setByte(ANACAP, ANACAP_REPORTED);
        b.setIntLE(ANAGRPMAX, GROUP_ID);
        b.setIntLE(NANAGRPID, GROUP_ID);
        // The host sizes its ANA log buffer with MNAN (Linux: header + NANAGRPID descriptors + MNAN NSIDs).
        b.setIntLE(MNAN, b.getIntLE(Identify.NN));
    }

    /** The state of the controller's namespaces: that of its port's access group. */
    public static AccessState state(Controller c) {
        Export e = c.export();
        return e.accessGroups().layout().groupOf(c.portal()).state();
    }

    /** The change count of the ANA log (CHGCNT). */
    public static long changeCount(Controller c) {
        return c.export().accessGroups().changeCount();
    }

    /** SUCCESS, or the path status an I/O command gets in the controller's ANA state (nvmet_check_ana_state). */
    public static int ioStatus(Controller c) {
        AccessState s = state(c);
        if (s.mediaAccessible()) {
            return Status.SUCCESS;
        }
        return s == AccessState.TRANSITIONING ? ANA_TRANSITION : ANA_INACCESSIBLE;
    }

    /** The configured portal a transport connection came in through, or null when no bound port matches. */
    public static Portal portalOf(FabricsTransport transport, InetSocketAddress local) {
        if (local == null) {
            return null;
        }
        for (FabricsPort p : transport.ports()) {
            InetSocketAddress bound = p.bound();
            if (bound.getPort() == local.getPort() && (bound.getAddress().isAnyLocalAddress()
                    || bound.getAddress().equals(local.getAddress()))) {
                return p.configured();
            }
        }
        return null;
    }

    /** Raises ANA Change on every controller of the export whose host enabled it (Base 2.0 8.1.4). */
    static AccessStateListener changes(NvmeTarget target) {
        return (AccessGroups groups, Object origin) -> {
            for (Controller c : target.controllers()) {
                Export e = c.export();
                if (!c.isDiscovery() && e != null && e.accessGroups() == groups
                        && c.features().asyncEventEnabled(AEC_ANA_CHANGE)) {
                    c.events().raise(ANA_CHANGE_EVENT, c.adminQueue());
                }
            }
        };
    }

    /** Identify Controller offsets Ana reads (kept here so the ANA hook depends on nothing but the layout). */
    private static final class Identify {
        static final int CMIC = 76;
        static final int OAES = 92;
        static final int NN = 516;
    }
}
