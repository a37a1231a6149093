package dev.ferry.frontend.nvme.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The command-set-aware Identify structures a host that sets CC.CSS = 110b reads (NVMe Base 2.0 5.17.2, NVM Command
 * Set 1.0 4.1.5), all 4096 bytes. Ferry serves the NVM command set only, so each answers for CSI 00h.
 */
public final class IdentifyCommandSet {
    public static final int SIZE = 4096;
    /** Command Set Identifier (Base 2.0 5.17.1): 00h NVM; 01h Key Value and 02h Zoned Namespace are not served. */
    public static final int CSI_NVM = 0x00;

    // I/O Command Set Independent Identify Namespace, CNS 08h (Base 2.0 5.17.2): byte 0 NSFEAT, 15 and up reserved
    public static final int INDEP_NMIC = 1;
    public static final int INDEP_RESCAP = 2;
    public static final int INDEP_FPI = 3;
    public static final int INDEP_ANAGRPID = 4;
    public static final int INDEP_NSATTR = 8;
    public static final int INDEP_NVMSETID = 10;
    public static final int INDEP_ENDGID = 12;
    public static final int INDEP_NSTAT = 14;
    /** NSTAT bit 0 NRDY: the namespace is ready; a Ferry namespace is ready whenever it is active. */
    static final int NSTAT_READY = 1;

    // The same fields in the NVM Identify Namespace, CNS 00h (NVM Command Set 1.0 Figure 97)
    static final int NVM_NS_NMIC = 30;
    static final int NVM_NS_RESCAP = 31;
    static final int NVM_NS_FPI = 32;
    static final int NVM_NS_ANAGRPID = 92;
    static final int NVM_NS_NSATTR = 99;
    static final int NVM_NS_NVMSETID = 100;
    static final int NVM_NS_ENDGID = 102;

    /**
     * I/O Command Set data structure, CNS 1Ch (Base 2.0 5.17.2): 512 I/O Command Set Vectors of 8 bytes, one per
     * combination index; vector bit 0 is the NVM command set (bit 1 Key Value, bit 2 Zoned Namespace).
     */
    public static final long VECTOR_NVM = 1L << CSI_NVM;

    private IdentifyCommandSet() {
    }

    /**
     * CNS 05h for CSI 00h (NVM Command Set 1.0 4.1.5): LBSTM bytes 7:0, PIC byte 8 and the extended LBA formats from
     * byte 12 describe end-to-end protection and storage tags, which Ferry's namespaces do not have; all zero is
     * the valid "none" answer (nvmet's too for a namespace without protection information).
     */
    public static ByteBuf nvmNamespace() {
        return zeroes();
    }

    /**
     * CNS 06h for CSI 00h (NVM Command Set 1.0 4.1.5): VSL byte 0, WZSL 1, WUSL 2, DMRL 3, DMRSL 7:4 and DMSL 15:8
     * zero mean "no limit beyond MDTS and the command's own fields", which is what the I/O path enforces.
     */
    public static ByteBuf nvmController() {
        return zeroes();
    }

    /**
     * CNS 08h, derived from the NVM Identify Namespace so that both always agree: NMIC, RESCAP, FPI, ANAGRPID,
     * NSATTR, NVMSETID and ENDGID are the same fields at other offsets. NSFEAT stays 0: its bits here (UID reuse,
     * rotational media, no volatile write cache) are not the NVM NSFEAT bits.
     */
    public static ByteBuf independentNamespace(ByteBuf nvmNamespace) {
        ByteBuf b = zeroes();
        b.setByte(INDEP_NMIC, nvmNamespace.getByte(NVM_NS_NMIC));
        b.setByte(INDEP_RESCAP, nvmNamespace.getByte(NVM_NS_RESCAP));
        b.setByte(INDEP_FPI, nvmNamespace.getByte(NVM_NS_FPI));
        b.setIntLE(INDEP_ANAGRPID, nvmNamespace.getIntLE(NVM_NS_ANAGRPID));
        b.setByte(INDEP_NSATTR, nvmNamespace.getByte(NVM_NS_NSATTR));
        b.setShortLE(INDEP_NVMSETID, nvmNamespace.getShortLE(NVM_NS_NVMSETID));
        b.setShortLE(INDEP_ENDGID, nvmNamespace.getShortLE(NVM_NS_ENDGID));
        b.setByte(INDEP_NSTAT, NSTAT_READY);
        nvmNamespace.release();
        return b;
    }

    /** CNS 1Ch: combination 0 is the NVM command set alone; the other 511 entries are empty. */
    public static ByteBuf ioCommandSets() {
        ByteBuf b = zeroes();
        b.setLongLE(0, VECTOR_NVM);
        return b;
    }

    /** The profile (Set Features 19h) may select only a combination the structure above lists. */
    public static boolean validCombination(int index) {
        return index == 0;
    }

    private static ByteBuf zeroes() {
        return Unpooled.buffer(SIZE, SIZE).writeZero(SIZE);
    }
}
