package dev.ferry.frontend.nvme.admin;

import dev.ferry.frontend.nvme.Ana;
import dev.ferry.frontend.nvme.Controller;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Collection;

/**
 * Asymmetric Namespace Access log page, 0Ch (NVMe Base 2.0 5.16.1.13): the state of every ANA group of the
 * controller and, unless RGO (Return Groups Only, LSP bit 0) is set, the namespaces in each. There is one group
 * ({@link Ana#GROUP_ID}) with the namespaces this host sees.
 *
 * <pre>
 * header (Figure 223): bytes 0-7 CHGCNT | 8-9 NGRPS | 10-15 reserved
 * descriptor (Figure 224): 0-3 ANAGRPID | 4-7 NNSID | 8-15 CHGCNT | 16 ANA STATE (3:0) | 17-31 reserved
 *                          | 32.. NSID list, 4 bytes each, ascending
 * </pre>
 */
public final class AnaLogPage {
    public static final int LID = 0x0C;
    /** Get Log Page CDW10 LSP (bits 11:8) bit 0 for this page: RGO. */
    public static final int LSP_RGO = 1 << 8;
    static final int HEADER = 16;
    static final int DESCRIPTOR = 32;

    private AnaLogPage() {
    }

    /** The page for Get Log Page's CDW10 (LSP); read without RAE it re-arms the ANA Change event (5.2.1). */
    public static ByteBuf read(Controller c, int cdw10, boolean retainEvent) {
        if (!retainEvent) {
            c.events().rearm(Ana.ANA_CHANGE_EVENT);
        }
        return build(c, (cdw10 & LSP_RGO) != 0);
    }

    static ByteBuf build(Controller c, boolean groupsOnly) {
        return build(Ana.changeCount(c), Ana.state(c).anaCode(), groupsOnly ? java.util.List.of() : c.namespaces().keySet());
    }

    static ByteBuf build(long changeCount, int anaState, Collection<Long> nsids) {
        int size = HEADER + DESCRIPTOR + 4 * nsids.size();
        ByteBuf b = Unpooled.buffer(size, size).writeZero(size);
        b.setLongLE(0, changeCount);
        b.setShortLE(8, 1);
        b.setIntLE(HEADER, Ana.GROUP_ID);
        b.setIntLE(HEADER + 4, nsids.size());
        b.setLongLE(HEADER + 8, changeCount);
        b.setByte(HEADER + 16, anaState);
        int at = HEADER + DESCRIPTOR;
        for (long nsid : nsids) {
            b.setIntLE(at, (int) nsid);
            at += 4;
        }
        return b;
    }
}
