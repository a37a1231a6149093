package dev.ferry.frontend.nvme.admin;

import dev.ferry.frontend.nvme.AsyncEvents;
import dev.ferry.frontend.nvme.Controller;
import dev.ferry.frontend.nvme.Limits;
import dev.ferry.frontend.nvme.NvmeQueue;
import dev.ferry.frontend.nvme.NvmeRequest;
import dev.ferry.frontend.nvme.spec.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;

/**
 * Get Log Page (NVMe Base 2.0 5.16): CDW10 LID 7:0, RAE 15, NUMDL 31:16; CDW11 NUMDU 15:0; CDW12-13 the byte offset
 * (LPO, dword aligned). Every host-given number is unsigned and checked as such before anything is allocated: the
 * length (up to 16 GiB) against MDTS and the SGL, the offset (64 bits) against the page. The page is built whole,
 * at its own size, and the requested window of it returned, zero padded past its end (5.16).
 */
public final class LogPages {
    // Log page identifiers (Figure 202)
    public static final int ERROR_INFORMATION = 0x01;
    public static final int SMART_HEALTH = 0x02;
    public static final int FIRMWARE_SLOT = 0x03;
    public static final int CHANGED_NAMESPACES = 0x04;
    public static final int COMMANDS_SUPPORTED_AND_EFFECTS = 0x05;
    public static final int DISCOVERY = 0x70;
    public static final int RESERVATION_NOTIFICATION = 0x80;

    static final int ERROR_ENTRY_SIZE = 64;
    static final int FIRMWARE_SLOT_SIZE = 512;
    static final int FIRMWARE_AFI = 0;
    static final int FIRMWARE_FRS1 = 8;
    static final int CHANGED_NAMESPACES_SIZE = 4096;
    private static final int RAE = 1 << 15;

    private LogPages() {
    }

    static void execute(NvmeQueue q, NvmeRequest r) {
        Controller c = q.controller();
        int cdw10 = r.cdw(10);
        int lid = cdw10 & 0xFF;
        boolean retainEvent = (cdw10 & RAE) != 0;
        long numd = ((r.cdw(11) & 0xFFFFL) << 16 | (cdw10 >>> 16)) + 1;
        long offset = (r.cdw(13) & 0xFFFFFFFFL) << 32 | (r.cdw(12) & 0xFFFFFFFFL);
        long length = numd * 4;
        if ((offset & 3) != 0 || length > Limits.MAX_DATA_TRANSFER) {
            q.complete(r, Status.INVALID_FIELD); // misaligned LPO, or more than MDTS (Figure 275)
            return;
        }
        if (length > r.sglLength()) {
            q.complete(r, Status.DATA_SGL_LENGTH_INVALID);
            return;
        }
        // Leniency, as nvmet: the NSID of a controller-scope page is not checked (SPDK refuses anything but 0 and
        // FFFFFFFFh); every page here is controller or subsystem wide, so it selects nothing.
        ByteBuf page;
        if (c.isDiscovery()) {
            if (lid != DISCOVERY) {
                q.complete(r, Status.INVALID_LOG_PAGE);
                return;
            }
            page = DiscoveryLogPage.build(c.target(), c.hostNqn(), q.transport().localAddress());
            if (!retainEvent) {
                c.events().rearm(AsyncEvents.DISCOVERY_LOG_CHANGED);
            }
        } else {
            page = switch (lid) {
                // No error is recorded, so the single entry (ELPE 0) is empty with error count 0.
                case ERROR_INFORMATION -> Unpooled.buffer(ERROR_ENTRY_SIZE).writeZero(ERROR_ENTRY_SIZE);
                case SMART_HEALTH -> SmartLog.build(c.namespaces().values());
                case FIRMWARE_SLOT -> firmwareSlots();
                case CHANGED_NAMESPACES -> changedNamespaces(c.changedNamespaces(retainEvent));
                // CDW14 31:24 CSI: the effects of the NVM command set only; another CSI is Invalid Log Page, as nvmet.
                case COMMANDS_SUPPORTED_AND_EFFECTS ->
                        r.cdw(14) >>> 24 == IdentifyCommandSet.CSI_NVM ? CommandEffectsLog.build() : null;
                case RESERVATION_NOTIFICATION -> c.reservationNotifications().logPage(retainEvent);
                case AnaLogPage.LID -> AnaLogPage.read(c, cdw10, retainEvent);
                default -> null;
            };
            if (page == null) {
                q.complete(r, Status.INVALID_LOG_PAGE);
                return;
            }
        }
        if (Long.compareUnsigned(offset, page.readableBytes()) > 0) {
            page.release();
            // LPO larger than the page (5.16 LPOL: shall abort). SPDK refuses LPO equal to the size too and nvmet
            // ignores LPO on most pages; equal is not larger, so it gets zeroes.
            q.complete(r, Status.INVALID_FIELD);
            return;
        }
        r.controllerData(ZeroPadded.window(page, (int) offset, (int) length));
        q.complete(r, Status.SUCCESS);
    }

    /** Firmware Slot Information (Figure 208): AFI bits 2:0 = active slot 1, FRS1 the revision in slot 1. */
    private static ByteBuf firmwareSlots() {
        ByteBuf b = Unpooled.buffer(FIRMWARE_SLOT_SIZE).writeZero(FIRMWARE_SLOT_SIZE);
        b.setByte(FIRMWARE_AFI, 1);
        Ascii.spacePadded(b, FIRMWARE_FRS1, 8, IdentifyController.FIRMWARE);
        return b;
    }

    /** Changed Namespace List (Figure 209): up to 1024 NSIDs; more than that is reported as FFFFFFFFh alone. */
    private static ByteBuf changedNamespaces(List<Long> changed) {
        ByteBuf b = Unpooled.buffer(CHANGED_NAMESPACES_SIZE).writeZero(CHANGED_NAMESPACES_SIZE);
        if (changed.size() > CHANGED_NAMESPACES_SIZE / 4) {
            b.setIntLE(0, 0xFFFFFFFF);
            return b;
        }
        for (int i = 0; i < changed.size(); i++) {
            b.setIntLE(4 * i, changed.get(i).intValue());
        }
        return b;
    }
}
