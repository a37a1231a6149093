package dev.ferry.frontend.scsi;

import dev.ferry.core.request.AllocationExtents;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * SBC-3 5.8 GET LBA STATUS (SERVICE ACTION IN(16) 9Eh, service action 12h): which blocks from the STARTING LBA on
 * are mapped and which deallocated, answered from what the backend really knows ({@link BlockOp#ALLOCATION_STATUS}).
 * A backend that cannot tell (a block device, a passthrough disk) gets one descriptor, PROVISIONING STATUS 0h, over
 * the rest of the medium: SBC-4 defines 0h as "mapped or unknown", and on a fully provisioned unit every block is
 * mapped. Offered on every unit: SBC-3 makes it mandatory with LBPME=1 (READ CAPACITY(16)), and it is as true
 * without.
 *
 * <pre>
 * CDB:  bytes 2-9 STARTING LOGICAL BLOCK ADDRESS | bytes 10-13 ALLOCATION LENGTH
 * data (5.8.2): bytes 0-3 PARAMETER DATA LENGTH (n-3) | bytes 4-7 reserved | bytes 8.. 16-byte descriptors
 * descriptor:   bytes 0-7 LBA | bytes 8-11 NUMBER OF LOGICAL BLOCKS | byte 12 PROVISIONING STATUS(3-0)
 *               | bytes 13-15 reserved
 * </pre>
 * The first descriptor starts at the STARTING LBA, the next ones follow without gaps (5.8.2.1). The descriptors
 * need not reach the end of the medium: an initiator asks again from where they stop.
 */
final class GetLbaStatusCommand {
    static final int SERVICE_ACTION = 0x12;
    static final int HEADER = 8;
    static final int DESCRIPTOR = 16;
    /** SBC-3 5.8.2 LBA status descriptor, PROVISIONING STATUS (SBC-4: 0h is "mapped or unknown"). */
    static final int MAPPED = 0x0;
    static final int DEALLOCATED = 0x1;
    /**
     * Most descriptors one command answers, whatever its ALLOCATION LENGTH (up to 4 GiB) asks: 16 KiB of parameter
     * data, and the most extents a backend is asked for.
     */
    static final int MAX_DESCRIPTORS = 1024;
    /** Most blocks one command describes: the request's block count is an int (and a descriptor's 32 bits). */
    static final long MAX_BLOCKS = Integer.MAX_VALUE;

    private GetLbaStatusCommand() {
    }

    static void execute(ScsiCommand c) {
        LunContext lu = c.lu;
        long lba = Cdb.u64(c.cdb, 2);
        long allocationLength = Cdb.u32(c.cdb, 10);
        long capacity = lu.capacity();
        if (lba < 0 || lba >= capacity) {
            throw CheckCondition.lbaOutOfRange(); // 5.8.1: beyond the RETURNED LOGICAL BLOCK ADDRESS
        }
        if (allocationLength == 0) {
            c.good(); // SPC-4 4.2.5.6: a zero ALLOCATION LENGTH is not an error
            return;
        }
        long blocks = Math.min(capacity - lba, MAX_BLOCKS);
        if (!lu.descriptor.reportsAllocation()) {
            byte[] d = parameterData(1);
            descriptor(d, 0, lba, blocks, MAPPED);
            c.dataIn(d, (int) Math.min(allocationLength, d.length));
            return;
        }
        int descriptors = (int) Math.max(1, Math.min(MAX_DESCRIPTORS, (allocationLength - HEADER) / DESCRIPTOR));
        int bytes = descriptors * AllocationExtents.BYTES;
        ByteBuf extents = PooledByteBufAllocator.DEFAULT.heapBuffer(bytes, bytes);
        BlockRequest r = BlockIo.acquire(c, extents);
        if (r == null) {
            return;
        }
        r.set(BlockOp.ALLOCATION_STATUS, lba, (int) blocks, extents, BlockIo.then(c, done -> {
            byte[] d = parameterData(lba, done.data());
            done.release();
            c.dataIn(d, (int) Math.min(allocationLength, d.length));
        }), null);
        BlockIo.submit(c, r);
    }

    /** The parameter data for the backend's extents, the first one at {@code lba}. */
    static byte[] parameterData(long lba, ByteBuf extents) {
        int n = AllocationExtents.count(extents);
        byte[] d = parameterData(n);
        long at = lba;
        for (int i = 0; i < n; i++) {
            long blocks = AllocationExtents.blocks(extents, i);
            descriptor(d, i, at, blocks, AllocationExtents.deallocated(extents, i) ? DEALLOCATED : MAPPED);
            at += blocks;
        }
        return d;
    }

    private static byte[] parameterData(int descriptors) {
        byte[] d = new byte[HEADER + descriptors * DESCRIPTOR];
        Cdb.put32(d, 0, d.length - 4);
        return d;
    }

    private static void descriptor(byte[] d, int i, long lba, long blocks, int status) {
        int at = HEADER + i * DESCRIPTOR;
        Cdb.put64(d, at, lba);
        Cdb.put32(d, at + 8, blocks);
        d[at + 12] = (byte) status;
    }
}
