package dev.ferry.backend.scsi;

import com.sun.jna.LastErrorException;
import dev.ferry.backend.block.Errno;
import dev.ferry.backend.block.LibC;
import dev.ferry.backend.block.RangeLock;
import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import io.netty.buffer.ByteBuf;

/**
 * A SCSI disk driven with SBC-3 commands through SG_IO: READ(16)/WRITE(16) (FUA), SYNCHRONIZE CACHE(16), UNMAP or
 * WRITE SAME(16) with UNMAP, WRITE SAME(16) of zeroes. Data in native memory goes to the kernel in place; other
 * buffers bounce through the worker's {@link SgChannel}. Compare-and-write holds a {@link RangeLock} across its
 * read, compare and write, as do all writes.
 */
public final class ScsiBackend implements Backend {
    private static final int IO_TIMEOUT_MS = 30_000;
    private static final int LONG_TIMEOUT_MS = 120_000;

    private final BackendDescriptor descriptor;
    private final ScsiDescription device;
    private final int fd;
    private final int workers;
    private final int blockSize;
    /** Largest piece sent as one command, in blocks. */
    private final int chunkBlocks;
    private final RangeLock rangeLock = new RangeLock();
    private final ThreadLocal<SgChannel> channels = ThreadLocal.withInitial(SgChannel::new);
    private volatile boolean closed;
    private volatile boolean syncCache16 = true;

    public ScsiBackend(BackendDescriptor descriptor, ScsiDescription device, int fd, int workers) {
        this.descriptor = descriptor;
        this.device = device;
        this.fd = fd;
        this.workers = workers;
        this.blockSize = descriptor.logicalBlockSize();
        this.chunkBlocks = Math.min(descriptor.maxTransferBlocks(), SgChannel.BOUNCE_BYTES / blockSize);
    }

    @Override
    public BackendDescriptor describe() {
        return descriptor;
    }

    @Override
    public int workers() {
        return workers;
    }

    /** What the device reported when opened: inquiry strings, serial, designator, limits. */
    public ScsiDescription device() {
        return device;
    }

    @Override
    public void execute(BlockRequest r) {
        SgChannel c = channels.get();
        BlockOp op = r.op();
        boolean write = op != BlockOp.READ && op != BlockOp.VERIFY;
        try {
            r.complete(switch (op) {
                case READ -> read(c, r);
                case WRITE -> locked(r.lba(), r.blocks(),
                        () -> write(c, r.lba(), r.blocks(), r.data(), r.data().readerIndex(), r.fua()));
                case COMPARE_AND_WRITE -> compareAndWrite(c, r);
                case VERIFY -> compare(c, r.lba(), r.blocks(), r.data());
                case FLUSH -> synchronizeCache(c);
                case UNMAP -> unmap(c, r);
                case WRITE_ZEROES -> locked(r.lba(), r.blocks(), () -> writeSame(c, r.lba(), r.blocks(),
                        r.deallocate() && device.provisioning().writeSameUnmap() && device.readsZeroesAfterUnmap()));
                case PREFETCH -> CompletionStatus.GOOD;
                case ALLOCATION_STATUS -> CompletionStatus.UNSUPPORTED; // not reported: the core sends none
            });
        } catch (LastErrorException e) {
            r.complete(write ? Errno.forWrite(e.getErrorCode()) : Errno.forRead(e.getErrorCode()));
        } catch (Miscompare m) {
            r.completeMiscompare(m.offset);
        }
    }

    private CompletionStatus read(SgChannel c, BlockRequest r) {
        ByteBuf out = r.data();
        CompletionStatus s = readInto(c, r.lba(), r.blocks(), out, out.writerIndex());
        if (s == CompletionStatus.GOOD) {
            out.writerIndex(out.writerIndex() + r.blocks() * blockSize);
        }
        return s;
    }

    /** Reads into {@code out} at {@code index} (absolute, indexes untouched), a chunk per command. */
    private CompletionStatus readInto(SgChannel c, long lba, int blocks, ByteBuf out, int index) {
        for (int done = 0; done < blocks; ) {
            int n = Math.min(chunkBlocks, blocks - done);
            int bytes = n * blockSize;
            int at = index + done * blockSize;
            Cdb16.read16(c.cdb, lba + done, n);
            long address = out.hasMemoryAddress() ? out.memoryAddress() + at : c.bounce;
            CompletionStatus s = data(c, SgIoHeader.SG_DXFER_FROM_DEV, address, bytes, false);
            if (s != CompletionStatus.GOOD) {
                return s;
            }
            if (address == c.bounce) {
                out.setBytes(at, c.view(bytes));
            }
            done += n;
        }
        return CompletionStatus.GOOD;
    }

    private CompletionStatus write(SgChannel c, long lba, int blocks, ByteBuf in, int index, boolean fua) {
        for (int done = 0; done < blocks; ) {
            int n = Math.min(chunkBlocks, blocks - done);
            int bytes = n * blockSize;
            int at = index + done * blockSize;
            long address = in.hasMemoryAddress() ? in.memoryAddress() + at : c.bounce;
            if (address == c.bounce) {
                in.getBytes(at, c.view(bytes));
            }
            Cdb16.write16(c.cdb, lba + done, n, fua);
            CompletionStatus s = data(c, SgIoHeader.SG_DXFER_TO_DEV, address, bytes, true);
            if (s != CompletionStatus.GOOD) {
                return s;
            }
            done += n;
        }
        return CompletionStatus.GOOD;
    }

    private CompletionStatus compareAndWrite(SgChannel c, BlockRequest r) {
        ByteBuf d = r.data();
        int length = r.blocks() * blockSize;
        return locked(r.lba(), r.blocks(), () -> {
            CompletionStatus s = compare(c, r.lba(), r.blocks(), d);
            return s != CompletionStatus.GOOD ? s : write(c, r.lba(), r.blocks(), d, d.readerIndex() + length, r.fua());
        });
    }

    /** Reads through the bounce buffer and compares with {@code expected} from its reader index, if given. */
    private CompletionStatus compare(SgChannel c, long lba, int blocks, ByteBuf expected) {
        for (int done = 0; done < blocks; ) {
            int n = Math.min(SgChannel.BOUNCE_BYTES / blockSize, blocks - done);
            Cdb16.read16(c.cdb, lba + done, n);
            CompletionStatus s = data(c, SgIoHeader.SG_DXFER_FROM_DEV, c.bounce, n * blockSize, false);
            if (s != CompletionStatus.GOOD) {
                return s;
            }
            if (expected != null) {
                var have = c.view(n * blockSize);
                int from = expected.readerIndex() + done * blockSize;
                for (int i = 0; i < n * blockSize; i++) {
                    if (have.get(i) != expected.getByte(from + i)) {
                        throw new Miscompare((long) done * blockSize + i);
                    }
                }
            }
            done += n;
        }
        return CompletionStatus.GOOD;
    }

    private CompletionStatus unmap(SgChannel c, BlockRequest r) {
        if (!device.canUnmap()) {
            return CompletionStatus.UNSUPPORTED;
        }
        for (int i = 0; i < r.rangeCount(); i++) {
            long lba = r.rangeLba(i);
            int blocks = r.rangeBlocks(i);
            CompletionStatus s = locked(lba, blocks, () -> device.provisioning().unmap()
                    ? unmapRange(c, lba, blocks) : writeSame(c, lba, blocks, true));
            if (s != CompletionStatus.GOOD) {
                return s;
            }
        }
        return CompletionStatus.GOOD;
    }

    /** One UNMAP per range piece; pieces respect MAXIMUM UNMAP LBA COUNT (B0h). */
    private CompletionStatus unmapRange(SgChannel c, long lba, int blocks) {
        long max = device.limits().maxUnmapLbaCount() == 0 ? blocks : device.limits().maxUnmapLbaCount();
        byte[] list = new byte[Unmap.HEADER + Unmap.DESCRIPTOR];
        for (long done = 0; done < blocks; ) {
            int n = (int) Math.min(max, blocks - done);
            int length = Unmap.header(list, 1);
            Unmap.descriptor(list, 0, lba + done, n);
            c.view(length).put(list, 0, length);
            Unmap.cdb(c.cdb, length);
            CompletionStatus s = data(c, SgIoHeader.SG_DXFER_TO_DEV, c.bounce, length, true, Unmap.CDB_LENGTH);
            if (s != CompletionStatus.GOOD) {
                return s;
            }
            done += n;
        }
        return CompletionStatus.GOOD;
    }

    /** WRITE SAME(16) of one zeroed block over the range, in pieces of MAXIMUM WRITE SAME LENGTH (B0h). */
    private CompletionStatus writeSame(SgChannel c, long lba, int blocks, boolean unmap) {
        long max = device.limits().maxWriteSame() == 0 ? 0xffff : device.limits().maxWriteSame();
        c.view(blockSize).put(new byte[blockSize]);
        for (long done = 0; done < blocks; ) {
            int n = (int) Math.min(max, blocks - done);
            Cdb16.writeSame16(c.cdb, lba + done, n, unmap);
            CompletionStatus s = data(c, SgIoHeader.SG_DXFER_TO_DEV, c.bounce, blockSize, true);
            if (s != CompletionStatus.GOOD) {
                return s;
            }
            done += n;
        }
        return CompletionStatus.GOOD;
    }

    private CompletionStatus data(SgChannel c, int direction, long address, int bytes, boolean write) {
        return data(c, direction, address, bytes, write, Cdb16.LENGTH);
    }

    private CompletionStatus data(SgChannel c, int direction, long address, int bytes, boolean write, int cdbLength) {
        c.run(fd, cdbLength, direction, address, bytes, IO_TIMEOUT_MS);
        CompletionStatus s = ScsiOutcome.map(c.status(), c.hostStatus(), c.driverStatus(), c.sense(), write);
        if (s == CompletionStatus.GOOD && c.resid() != 0 && direction == SgIoHeader.SG_DXFER_FROM_DEV) {
            return CompletionStatus.MEDIUM_ERROR_READ; // a short read would hand stale bytes to the initiator
        }
        return s;
    }

    /** SYNCHRONIZE CACHE(16), or (10) from the first time the device calls the opcode invalid. */
    private CompletionStatus synchronizeCache(SgChannel c) {
        if (syncCache16) {
            Cdb16.synchronizeCache16(c.cdb);
            c.run(fd, Cdb16.LENGTH, SgIoHeader.SG_DXFER_NONE, 0, 0, LONG_TIMEOUT_MS);
            CompletionStatus s = ScsiOutcome.map(c.status(), c.hostStatus(), c.driverStatus(), c.sense(), true);
            if (s != CompletionStatus.UNSUPPORTED) {
                return s;
            }
            syncCache16 = false;
        }
        Cdb10.synchronizeCache10(c.cdb);
        c.run(fd, Cdb10.LENGTH, SgIoHeader.SG_DXFER_NONE, 0, 0, LONG_TIMEOUT_MS);
        return ScsiOutcome.map(c.status(), c.hostStatus(), c.driverStatus(), c.sense(), true);
    }

    private CompletionStatus locked(long lba, long blocks, java.util.function.Supplier<CompletionStatus> action) {
        return rangeLock.holding(lba * blockSize, blocks * blockSize, action);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!descriptor.readOnly() && descriptor.volatileWriteCache()) {
                synchronizeCache(channels.get());
            }
        } finally {
            LibC.close(fd);
        }
    }

    /** The compare half of COMPARE_AND_WRITE or VERIFY found a difference at {@code offset}. */
    private static final class Miscompare extends RuntimeException {
        final long offset;

        Miscompare(long offset) {
            super(null, null, false, false);
            this.offset = offset;
        }
    }
}
