package dev.ferry.frontend.scsi;

import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;

/**
 * SBC-3 5.28 UNMAP (42h). Offered only by units that can deallocate (LBPU in VPD B2h).
 *
 * <pre>
 * CDB:  byte 1 ANCHOR(0) (unsupported) | byte 6 GROUP NUMBER | bytes 7-8 PARAMETER LIST LENGTH
 * parameter list (5.28.2): bytes 0-1 UNMAP DATA LENGTH (n-1) | bytes 2-3 UNMAP BLOCK DESCRIPTOR DATA LENGTH
 *                          | bytes 4-7 reserved | bytes 8.. 16-byte UNMAP block descriptors
 * block descriptor:        bytes 0-7 UNMAP LOGICAL BLOCK ADDRESS | bytes 8-11 NUMBER OF LOGICAL BLOCKS
 * </pre>
 * Every descriptor is checked before anything is unmapped, so a bad list changes nothing. A truncated trailing
 * descriptor is ignored (5.28.2); a descriptor data length larger than what was sent is bounded by what was sent
 * (as LIO).
 */
final class UnmapCommand {
    static final int HEADER = 8;
    static final int DESCRIPTOR = 16;

    private UnmapCommand() {
    }

    static void execute(ScsiCommand c) {
        LunContext lu = c.lu;
        byte[] p = c.parameterList(Cdb.u16(c.cdb, 7), 7);
        if (p.length == 0) {
            c.good(); // 5.28.1: a zero PARAMETER LIST LENGTH is not an error
            return;
        }
        if (p.length < HEADER) {
            throw CheckCondition.parameterListLengthError();
        }
        int size = Math.min(p.length - HEADER, Cdb.u16(p, 2));
        int count = size / DESCRIPTOR;
        if (count > lu.limits.maxUnmapDescriptors()) {
            throw CheckCondition.invalidFieldInParameterList(2, -1);
        }
        long total = 0;
        for (int i = 0; i < count; i++) {
            int at = HEADER + i * DESCRIPTOR;
            long lba = Cdb.u64(p, at);
            long blocks = Cdb.u32(p, at + 8);
            ReadWriteCommands.checkRange(lu, lba, blocks);
            total += blocks;
            if (total > lu.limits.maxUnmapLbaCount()) {
                throw CheckCondition.invalidFieldInParameterList(at + 8, -1);
            }
        }
        if (total == 0) {
            c.good();
            return;
        }
        BlockRequest r = BlockIo.acquire(c, null);
        if (r == null) {
            return;
        }
        r.set(BlockOp.UNMAP, 0, 0, null, c.goodWhenDone, null);
        for (int i = 0; i < count; i++) {
            int at = HEADER + i * DESCRIPTOR;
            long blocks = Cdb.u32(p, at + 8);
            if (blocks > 0) {
                r.addRange(Cdb.u64(p, at), (int) blocks);
            }
        }
        BlockIo.submit(c, r);
    }
}
