package dev.ferry.frontend.nvme.admin;

import dev.ferry.core.unit.Export;
import dev.ferry.frontend.nvme.FabricsPort;
import dev.ferry.frontend.nvme.FabricsTransport;
import dev.ferry.frontend.nvme.Limits;
import dev.ferry.frontend.nvme.NvmeTarget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Discovery log page, LID 70h (NVMe Base 2.0 5.16.1.23, Figures 293/294): a 1024-byte header, then one 1024-byte
 * entry per port of every subsystem the host may connect to, plus one for the discovery subsystem on the port the
 * host used (SUBTYPE 3h, "current discovery subsystem").
 */
public final class DiscoveryLogPage {
    public static final int HEADER_SIZE = 1024;
    public static final int ENTRY_SIZE = 1024;
    // Header (Figure 293)
    public static final int GENCTR = 0;
    public static final int NUMREC = 8;
    public static final int RECFMT = 16;
    // Entry (Figure 294)
    public static final int TRTYPE = 0;
    public static final int ADRFAM = 1;
    public static final int SUBTYPE = 2;
    public static final int TREQ = 3;
    public static final int PORTID = 4;
    public static final int CNTLID = 6;
    public static final int ASQSZ = 8;
    public static final int EFLAGS = 10;
    public static final int TRSVCID = 32;
    public static final int SUBNQN = 256;
    public static final int TRADDR = 512;
    public static final int TSAS = 768;

    static final int ADRFAM_IPV4 = 1;
    static final int ADRFAM_IPV6 = 2;
    static final int SUBTYPE_NVM = 2;
    static final int SUBTYPE_CURRENT_DISCOVERY = 3;
    /**
     * TREQ: bits 1:0 = 00b secure channel requirement not specified (no TLS is offered at all), bit 2 SQ flow
     * control may be disabled; the value Linux nvmet reports for a port without TLS.
     */
    static final int TREQ_SQFC_DISABLE = 1 << 2;
    static final int DYNAMIC_CNTLID = 0xFFFF;

    private record Entry(String subnqn, int subtype, FabricsPort port) {
    }

    private DiscoveryLogPage() {
    }

    /**
     * @param local the address the host reached this discovery controller on: reported for ports bound to a
     *              wildcard address, and it picks the "current discovery subsystem" entry
     */
    public static ByteBuf build(NvmeTarget target, String hostNqn, InetSocketAddress local) {
        FabricsTransport transport = target.transport();
        List<Entry> entries = new ArrayList<>();
        for (FabricsPort p : transport.ports()) {
            if (p.bound().getPort() == local.getPort()) {
                entries.add(new Entry(NvmeTarget.DISCOVERY_NQN, SUBTYPE_CURRENT_DISCOVERY, p));
                break;
            }
        }
        for (Export e : target.subsystems()) {
            if (!e.admits(hostNqn)) {
                continue;
            }
            for (FabricsPort p : transport.ports()) {
                if (e.portals().contains(p.configured())) {
                    entries.add(new Entry(e.name(), SUBTYPE_NVM, p));
                }
            }
        }
        int size = HEADER_SIZE + ENTRY_SIZE * entries.size();
        ByteBuf b = Unpooled.buffer(size, size).writeZero(size);
        b.setLongLE(GENCTR, target.discoveryGeneration());
        b.setLongLE(NUMREC, entries.size());
        b.setShortLE(RECFMT, 0);
        int at = HEADER_SIZE;
        for (Entry entry : entries) {
            writeEntry(b, at, entry, transport, local);
            at += ENTRY_SIZE;
        }
        return b;
    }

    private static void writeEntry(ByteBuf b, int at, Entry e, FabricsTransport transport, InetSocketAddress local) {
        InetAddress address = e.port().bound().getAddress();
        if (address.isAnyLocalAddress()) {
            address = local.getAddress(); // like nvmet's disc_traddr: the address the host can actually reach
        }
        b.setByte(at + TRTYPE, transport.transportType());
        b.setByte(at + ADRFAM, address instanceof Inet6Address ? ADRFAM_IPV6 : ADRFAM_IPV4);
        b.setByte(at + SUBTYPE, e.subtype());
        b.setByte(at + TREQ, TREQ_SQFC_DISABLE);
        b.setShortLE(at + PORTID, e.port().portId());
        b.setShortLE(at + CNTLID, DYNAMIC_CNTLID);
        b.setShortLE(at + ASQSZ, Limits.ADMIN_QUEUE_ENTRIES);
        Ascii.spacePadded(b, at + TRSVCID, 32, Integer.toString(e.port().bound().getPort()));
        Ascii.nulPadded(b, at + SUBNQN, 256, e.subnqn());
        Ascii.spacePadded(b, at + TRADDR, 256, address.getHostAddress());
        b.setBytes(at + TSAS, transport.transportSpecificAddress());
    }
}
