package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.ferry.frontend.nvmerdma.verbs.BufferSlab;
import dev.ferry.frontend.nvmerdma.verbs.RegisteredBuffers;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The device's buffers: a few {@link BufferSlab} size classes (responses, command capsules, data), each a direct
 * region registered with ibv_reg_mr as a whole. A request takes the smallest class that fits and has a free slot.
 * When every fitting class is full, one more region of the smallest fitting class is registered, up to
 * {@code limitBytes} in all: registration happens when the working set grows (more queues connect), never per I/O.
 * Only local access is granted: the host never reads or writes target memory, the target moves data with RDMA
 * READ/WRITE against the host's keys.
 */
public final class RegisteredMemory implements RegisteredBuffers, AutoCloseable {
    /** One size class: regions of {@code slots} buffers of {@code slotSize} bytes. */
    public record SizeClass(int slotSize, int slots) {
        long regionBytes() {
            return (long) slotSize * slots;
        }
    }

    private record Region(SizeClass sizeClass, BufferSlab slab, Pointer mr, long address, int lkey) {
    }

    private final LibIbverbs verbs;
    private final Pointer pd;
    private final List<SizeClass> classes;
    private final long limitBytes;
    /** Smallest slots first, in registration order within a class; read without locking by every executor. */
    private final List<Region> regions = new CopyOnWriteArrayList<>();
    private long registeredBytes;

    /** Registers one region of each class, smallest slots first. */
    public RegisteredMemory(LibIbverbs verbs, Pointer pd, List<SizeClass> classes, long limitBytes) {
        this.verbs = verbs;
        this.pd = pd;
        this.classes = List.copyOf(classes);
        this.limitBytes = limitBytes;
        try {
            for (SizeClass c : this.classes) {
                register(c);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void register(SizeClass c) {
        BufferSlab slab = new BufferSlab(c.slotSize(), c.slots());
        Pointer mr = verbs.ibv_reg_mr(pd, Native.getDirectBufferPointer(slab.region()), slab.region().capacity(),
                LibIbverbs.IBV_ACCESS_LOCAL_WRITE);
        if (mr == null) {
            throw new IllegalStateException("ibv_reg_mr of " + slab.region().capacity() + " bytes failed: errno "
                    + Native.getLastError() + " (RLIMIT_MEMLOCK too low? see ulimit -l)");
        }
        registeredBytes += c.regionBytes();
        Region r = new Region(c, slab, mr, IbvMr.address(mr), IbvMr.lkey(mr));
        int at = 0;
        while (at < regions.size() && regions.get(at).sizeClass().slotSize() <= c.slotSize()) {
            at++;
        }
        regions.add(at, r);
    }

    @Override
    public ByteBuf allocate(int capacity) {
        ByteBuf b = tryAllocate(capacity);
        return b != null ? b : grow(capacity);
    }

    private ByteBuf tryAllocate(int capacity) {
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

    /** One more region of the smallest class that fits, unless the limit is reached; null then. */
    private synchronized ByteBuf grow(int capacity) {
        ByteBuf b = tryAllocate(capacity); // another thread may have grown it meanwhile
        if (b != null) {
            return b;
        }
        for (SizeClass c : classes) {
            if (c.slotSize() >= capacity) {
                if (registeredBytes + c.regionBytes() > limitBytes) {
                    return null;
                }
                register(c);
                return tryAllocate(capacity);
            }
        }
        throw new IllegalArgumentException(capacity + " bytes exceed the largest registered buffer");
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
    public synchronized void close() {
        for (Region r : regions) {
            verbs.ibv_dereg_mr(r.mr());
        }
        regions.clear();
    }
}
