package dev.ferry.frontend.nvme.admin;

import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.frontend.nvme.io.CopyCommand;
import dev.ferry.frontend.nvme.Ana;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Identify Namespace data structure for the NVM command set, CNS 00h (NVM Command Set 1.0 4.1.5.1 Figure 97);
 * 4096 bytes, rendered from the unit's {@link BackendDescriptor}.
 */
public final class IdentifyNamespace {
    public static final int SIZE = 4096;
    // Byte offsets (Figure 97)
    public static final int NSZE = 0;
    public static final int NCAP = 8;
    public static final int NUSE = 16;
    public static final int NSFEAT = 24;
    public static final int NLBAF = 25;
    public static final int FLBAS = 26;
    public static final int NMIC = 30;
    public static final int RESCAP = 31;
    public static final int DLFEAT = 33;
    public static final int NPWG = 64;
    public static final int NPWA = 66;
    public static final int NPDG = 68;
    public static final int NPDA = 70;
    public static final int NOWS = 72;
    // Copy limits (NVM Command Set 1.0 Figure 97): MSSRL, MCL in logical blocks, MSRC 0's based
    public static final int MSSRL = 74;
    public static final int MCL = 76;
    public static final int MSRC = 80;
    public static final int NSATTR = 99;
    public static final int NGUID = 104;
    public static final int EUI64 = 120;
    public static final int LBAF0 = 128;

    /** NSFEAT bit 4 OPTPERF: NPWG, NPWA, NPDG, NPDA and NOWS are valid. */
    static final int NSFEAT_OPTPERF = 1 << 4;
    /** NMIC bit 0: the namespace may be attached to several controllers at once. */
    static final int NMIC_SHARED = 1;
    /**
     * RESCAP (Figure 97): bits 1-6 the six reservation types, bit 7 IEKEY (Ignore Existing Key as NVMe 1.3 and
     * later define it), bit 0 PTPLS only where the unit can persist reservations.
     */
    static final int RESCAP_TYPES_IEKEY = 0x7E | 1 << 7;
    static final int RESCAP_PTPLS = 1;
    /** DLFEAT bits 2:0 = 001b deallocated blocks read as zeroes; bit 3 Write Zeroes may deallocate. */
    static final int DLFEAT_ZEROES_AND_DEAC = 0x1 | 1 << 3;
    /** NSATTR bit 0: write protected. */
    static final int NSATTR_WRITE_PROTECTED = 1;

    private IdentifyNamespace() {
    }

    /** @param ptplCapable the unit keeps reservations through power loss (a reservation state directory) */
    public static ByteBuf build(BackendDescriptor d, boolean ptplCapable) {
        ByteBuf b = Unpooled.buffer(SIZE, SIZE).writeZero(SIZE);
        b.setLongLE(NSZE, d.capacityBlocks());
        b.setLongLE(NCAP, d.capacityBlocks());
        b.setLongLE(NUSE, d.capacityBlocks());
        b.setByte(NSFEAT, NSFEAT_OPTPERF);
        b.setByte(NLBAF, 0); // one LBA format (0's based)
        b.setByte(FLBAS, 0);
        b.setByte(NMIC, NMIC_SHARED);
        b.setByte(RESCAP, RESCAP_TYPES_IEKEY | (ptplCapable ? RESCAP_PTPLS : 0));
        if (d.discard() && d.discardZeroes()) {
            b.setByte(DLFEAT, DLFEAT_ZEROES_AND_DEAC);
        }
        int perPhysical = Math.max(1, d.physicalBlockSize() / d.logicalBlockSize());
        int discardGranularity = Math.max(1, d.discardGranularityBlocks());
        int optimal = d.optimalTransferBlocks() > 0 ? d.optimalTransferBlocks() : perPhysical;
        // All five are 0's based counts of logical blocks.
        b.setShortLE(NPWG, perPhysical - 1);
        b.setShortLE(NPWA, perPhysical - 1);
        b.setShortLE(NPDG, Math.min(discardGranularity, 0x10000) - 1);
        b.setShortLE(NPDA, Math.min(discardGranularity, 0x10000) - 1);
        b.setShortLE(NOWS, Math.min(optimal, 0x10000) - 1);
        b.setShortLE(MSSRL, CopyCommand.maxSingleRangeBlocks(d.logicalBlockSize()));
        b.setIntLE(MCL, (int) CopyCommand.maxCopyBlocks(d.logicalBlockSize()));
        b.setByte(MSRC, CopyCommand.MAX_SOURCE_RANGES - 1);
        b.setIntLE(Ana.NS_ANAGRPID, Ana.GROUP_ID);
        b.setByte(NSATTR, d.readOnly() ? NSATTR_WRITE_PROTECTED : 0);
        b.setBytes(NGUID, d.identity().nguid());
        b.setLong(EUI64, d.identity().eui64()); // EUI-64 is a byte string, most significant byte first
        // LBA Format 0 (Figure 98): MS 15:0 = 0 (no metadata), LBADS 23:16 = log2(block size), RP 25:24 = 0 best.
        b.setIntLE(LBAF0, Integer.numberOfTrailingZeros(d.logicalBlockSize()) << 16);
        return b;
    }
}
