package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.ferry.frontend.nvmerdma.verbs.BufferSlab;
import dev.ferry.frontend.nvmerdma.verbs.RegisteredBuffers;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * The device's buffers: a few {@link BufferSlab} size classes (responses, command capsules, data), each one direct
 * region registered once with ibv_reg_mr when the device opens. A request takes the smallest class that fits and
 * has a free slot. Only local access is granted: the host never reads or writes target memory, the target moves
 * data with RDMA READ/WRITE against the host's keys.
 */
public final class RegisteredMemory implements RegisteredBuffers, AutoCloseable {
    /** One size class: {@code slots} buffers of {@code slotSize} bytes. */
    public record SizeClass(int slotSize, int slots) {
    }

    private record Region(BufferSlab slab, Pointer mr, long address, int lkey) {
    }

    private final LibIbverbs verbs;
    private final List<Region> regions;

    private RegisteredMemory(LibIbverbs verbs, List<Region> regions) {
        this.verbs = verbs;
        this.regions = regions;
    }

    /** Allocates and registers the classes, smallest slots first. */
    public static RegisteredMemory register(LibIbverbs verbs, Pointer pd, List<SizeClass> classes) {
        List<Region> regions = new ArrayList<>();
        RegisteredMemory memory = new RegisteredMemory(verbs, regions);
        for (SizeClass c : classes) {
            BufferSlab slab = new BufferSlab(c.slotSize(), c.slots());
            Pointer mr = verbs.ibv_reg_mr(pd, Native.getDirectBufferPointer(slab.region()), slab.region().capacity(),
                    LibIbverbs.IBV_ACCESS_LOCAL_WRITE);
            if (mr == null) {
                memory.close();
                throw new IllegalStateException("ibv_reg_mr of " + slab.region().capacity() + " bytes failed: errno "
                        + Native.getLastError() + " (RLIMIT_MEMLOCK too low? see ulimit -l)");
            }
            regions.add(new Region(slab, mr, IbvMr.address(mr), IbvMr.lkey(mr)));
        }
        return memory;
    }

    @Override
    public ByteBuf allocate(int capacity) {
        for (Region r : regions) {
            if (r.slab().slotSize() >= capacity) {
                ByteBuf b = r.slab().allocate(capacity);
                if (b != null) {
                    return b;
                }
            }
        }
        return null;
    }

    @Override
    public long address(ByteBuf buffer) {
        Region r = regionOf(buffer);
        return r.address() + r.slab().offsetOf(buffer);
    }

    @Override
    public int lkey(ByteBuf buffer) {
        return regionOf(buffer).lkey();
    }

    private Region regionOf(ByteBuf buffer) {
        for (Region r : regions) {
            if (r.slab().owns(buffer)) {
                return r;
            }
        }
        throw new IllegalArgumentException("not a registered buffer: " + buffer);
    }

    /** Deregisters every region; only once no work request refers to them. */
    @Override
    public void close() {
        for (Region r : regions) {
            verbs.ibv_dereg_mr(r.mr());
        }
        regions.clear();
    }
}
