package dev.ferry.frontend.nvme;

/**
 * The controller properties a fabrics host reads and writes with Property Get/Set (NVMe Base 2.0 3.1.4 Figure 35):
 * CAP, VS, CC and CSTS, with the enable/ready and shutdown handshakes of 3.5.2 and 3.6.
 */
public final class ControllerProperties {
    public static final int CAP = 0x00;
    public static final int VS = 0x08;
    public static final int CC = 0x14;
    public static final int CSTS = 0x1C;

    /** VS: 1.4.0, the last version before Identify CNS 06h became mandatory for the host to probe. */
    public static final int VERSION = 0x0001_0400;

    // CC fields (3.1.4.5 Figure 41)
    static final int CC_EN = 1;
    static final int CC_CSS_SHIFT = 4;
    static final int CC_MPS_SHIFT = 7;
    static final int CC_AMS_SHIFT = 11;
    static final int CC_SHN_SHIFT = 14;
    static final int CC_IOSQES_SHIFT = 16;
    static final int CC_IOCQES_SHIFT = 20;
    // CSTS fields (3.1.4.6 Figure 42)
    static final int CSTS_RDY = 1;
    static final int CSTS_CFS = 1 << 1;
    static final int CSTS_SHST_MASK = 3 << 2;
    static final int CSTS_SHST_COMPLETE = 2 << 2;
    /** The only entry sizes a fabrics controller uses: 64-byte SQEs (2^6) and 16-byte CQEs (2^4). */
    static final int IOSQES = 6;
    static final int IOCQES = 4;
    /** CC.CSS values (Figure 41): 000b the NVM command set, 110b all supported I/O command sets; others reserved. */
    static final int CC_CSS_NVM = 0b000;
    static final int CC_CSS_ALL_IO_COMMAND_SETS = 0b110;
    /** CAP.CSS bits (Figure 36, CAP bits 44:37): bit 0 NVM command set, bit 6 one or more I/O command sets. */
    static final long CAP_CSS_NVM = 1L << 37;
    static final long CAP_CSS_IO_COMMAND_SETS = 1L << (37 + 6);

    private int cc;
    private int csts;

    /**
     * CAP (3.1.4.1 Figure 36): MQES 15:0, CQR 16 (required on fabrics), TO 31:24 in 500 ms units, CSS 44:37 with
     * bit 0 NVM command set and bit 6 I/O command set selection (CC.CSS = 110b, Identify CNS 05h-08h/1Ch, as nvmet
     * and SPDK with a zoned namespace advertise it), MPSMIN/MPSMAX 0 (4 KiB).
     */
    public static long capabilities() {
        long mqes = Limits.MAX_QUEUE_ENTRIES - 1;
        long cqr = 1L << 16;
        long timeout = 15L << 24; // 7.5 s for CSTS.RDY to follow CC.EN
        return mqes | cqr | timeout | CAP_CSS_NVM | CAP_CSS_IO_COMMAND_SETS;
    }

    public synchronized int cc() { return cc; }
    public synchronized int csts() { return csts; }

    public synchronized boolean ready() {
        return (cc & CC_EN) != 0 && (csts & CSTS_RDY) != 0;
    }

    /** @return true when this write cleared CC.EN (a controller reset) */
    public synchronized boolean writeCc(int value) {
        int old = cc;
        cc = value;
        boolean enable = (value & CC_EN) != 0 && (old & CC_EN) == 0;
        boolean disable = (value & CC_EN) == 0 && (old & CC_EN) != 0;
        if (enable) {
            csts &= ~(CSTS_SHST_MASK | CSTS_CFS);
            if (validConfiguration(value)) {
                csts |= CSTS_RDY;
            } else {
                csts |= CSTS_CFS; // like nvmet: an unusable configuration is a controller fatal status
            }
        }
        if (disable) {
            csts &= ~(CSTS_RDY | CSTS_CFS);
        }
        if (((value >>> CC_SHN_SHIFT) & 3) != 0) {
            // Nothing is cached in the controller itself, so a shutdown completes at once.
            csts = (csts & ~CSTS_SHST_MASK) | CSTS_SHST_COMPLETE;
        }
        return disable;
    }

    private static boolean validConfiguration(int value) {
        return ((value >>> CC_IOSQES_SHIFT) & 0xF) == IOSQES
                && ((value >>> CC_IOCQES_SHIFT) & 0xF) == IOCQES
                && ((value >>> CC_MPS_SHIFT) & 0xF) == 0
                && ((value >>> CC_AMS_SHIFT) & 0x7) == 0
                && validCommandSet((value >>> CC_CSS_SHIFT) & 0x7);
    }

    /**
     * Both values CAP advertises are accepted (000b stays valid with CAP.CSS bit 0 set, for 1.x hosts); 111b (admin
     * only, CAP.CSS bit 7 clear) and the reserved values end in CSTS.CFS, like nvmet's nvmet_css_supported.
     */
    private static boolean validCommandSet(int css) {
        return css == CC_CSS_NVM || css == CC_CSS_ALL_IO_COMMAND_SETS;
    }
}
