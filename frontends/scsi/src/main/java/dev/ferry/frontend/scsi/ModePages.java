package dev.ferry.frontend.scsi;

/**
 * The mode pages of a direct-access logical unit and their values for each PAGE CONTROL (SPC-4 7.5). Every page
 * starts with PS(7) | SPF(6) | PAGE CODE(5-0), PAGE LENGTH (n-1). Changeable are the Caching page's WCE bit (only
 * where a volatile write cache exists) and the Control page's SWP bit; nothing can be saved.
 */
final class ModePages {
    static final int READ_WRITE_ERROR_RECOVERY = 0x01;
    static final int CACHING = 0x08;
    static final int CONTROL = 0x0A;
    static final int INFORMATIONAL_EXCEPTIONS = 0x1C;
    static final int ALL_PAGES = 0x3F;
    /** Ascending, the order in which "all pages" returns them (SPC-4 7.5.1). */
    static final int[] PAGES = {READ_WRITE_ERROR_RECOVERY, CACHING, CONTROL, INFORMATIONAL_EXCEPTIONS};

    // SPC-4 6.11 PAGE CONTROL
    static final int PC_CURRENT = 0;
    static final int PC_CHANGEABLE = 1;
    static final int PC_DEFAULT = 2;
    static final int PC_SAVED = 3;

    /** Caching page byte 2: WCE (bit 2). */
    static final int WCE = 0x04;
    /** Control page byte 4: SWP (bit 3), software write protect (SPC-4 7.5.8). */
    static final int SWP = 0x08;

    private ModePages() {
    }

    static boolean supported(int pageCode) {
        for (int p : PAGES) {
            if (p == pageCode) {
                return true;
            }
        }
        return false;
    }

    /** The page with its header, for PAGE CONTROL current, changeable or default. */
    static byte[] page(int pageCode, int pageControl, LunContext lu) {
        return switch (pageCode) {
            case READ_WRITE_ERROR_RECOVERY -> readWriteErrorRecovery(pageControl);
            case CACHING -> caching(pageControl, lu);
            case CONTROL -> control(pageControl, lu);
            case INFORMATIONAL_EXCEPTIONS -> informationalExceptions(pageControl);
            default -> throw new IllegalArgumentException("mode page " + pageCode);
        };
    }

    private static byte[] header(int pageCode, int pageLength) {
        byte[] p = new byte[2 + pageLength];
        p[0] = (byte) pageCode;
        p[1] = (byte) pageLength;
        return p;
    }

    /**
     * SBC-3 6.4.7 Read-Write Error Recovery, page length 0Ah. Byte 2 AWRE ARRE TB RC EER PER DTE DCR, byte 3 READ
     * RETRY COUNT, byte 8 WRITE RETRY COUNT, bytes 10-11 RECOVERY TIME LIMIT: all zero, recovery is the backend's.
     */
    static byte[] readWriteErrorRecovery(int pc) {
        return header(READ_WRITE_ERROR_RECOVERY, 0x0A);
    }

    /**
     * SBC-3 6.4.5 Caching, page length 12h. Byte 2 IC ABPF CAP DISC SIZE WCE(2) MF RCD(0).
     */
    static byte[] caching(int pc, LunContext lu) {
        byte[] p = header(CACHING, 0x12);
        boolean wce = switch (pc) {
            case PC_CHANGEABLE -> lu.writeCacheChangeable();
            case PC_DEFAULT -> lu.defaultWriteCacheEnabled();
            default -> lu.writeCacheEnabled();
        };
        p[2] = (byte) (wce ? WCE : 0);
        return p;
    }

    /**
     * SPC-4 7.5.8 Control, page length 0Ah.
     * <pre>
     * Byte 2  TST(7-5)=000b TMF_ONLY DPICZ D_SENSE(2)=0 fixed sense GLTSD RLEC
     * Byte 3  QUEUE ALGORITHM MODIFIER(7-4)=1h unrestricted reordering | NUAR | QERR(2-1)=00b
     * Byte 4  VS RAC UA_INTLCK_CTRL(5-4)=00b SWP(3)
     * Byte 5  ATO TAS(6)=1 ATMPE RWWP | AUTOLOAD MODE
     * </pre>
     * SWP is changeable (default off): while set, every command that writes the medium ends in DATA PROTECT,
     * WRITE PROTECTED, and the mode parameter header's WP bit is set. libiscsi's Sanitize.Readonly needs it.
     */
    static byte[] control(int pc, LunContext lu) {
        byte[] p = header(CONTROL, 0x0A);
        switch (pc) {
            case PC_CHANGEABLE -> p[4] = SWP;
            case PC_DEFAULT -> {
                p[3] = 0x10;
                p[5] = 0x40;
            }
            default -> {
                p[3] = 0x10;
                p[4] = (byte) (lu.softwareWriteProtected() ? SWP : 0);
                p[5] = 0x40;
            }
        }
        return p;
    }

    /**
     * SPC-4 7.5.12 Informational Exceptions Control, page length 0Ah. Byte 2 PERF EBF EWASC DEXCPT(3)=1 (reporting
     * disabled: there are none) TEST EBACKERR LOGERR; byte 3 MRIE(3-0)=0.
     */
    static byte[] informationalExceptions(int pc) {
        byte[] p = header(INFORMATIONAL_EXCEPTIONS, 0x0A);
        if (pc != PC_CHANGEABLE) {
            p[2] = 0x08;
        }
        return p;
    }
}
