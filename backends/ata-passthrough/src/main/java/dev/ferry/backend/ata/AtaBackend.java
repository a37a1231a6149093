package dev.ferry.backend.ata;

import com.sun.jna.LastErrorException;
import dev.ferry.backend.block.Errno;
import dev.ferry.backend.block.LibC;
import dev.ferry.backend.block.RangeLock;
import dev.ferry.backend.scsi.ScsiOutcome;
import dev.ferry.backend.scsi.SgChannel;
import dev.ferry.backend.scsi.SgIoHeader;
import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import io.netty.buffer.ByteBuf;

/**
 * An ATA disk behind a SAT layer (libata, USB bridges) driven with ATA commands in ATA PASS-THROUGH(16): READ/WRITE
 * DMA EXT, WRITE DMA FUA EXT, FLUSH CACHE EXT, DATA SET MANAGEMENT TRIM. Outcomes come from the ATA registers the
 * SATL returns in the sense data. ATA has no write-same here, so write-zeroes writes zeroed buffers.
 */
public final class AtaBackend implements Backend {
    private static final int IO_TIMEOUT_MS = 30_000;
    private static final int FLUSH_TIMEOUT_MS = 120_000;
    /** READ/WRITE DMA EXT move at most 65536 sectors; keep the COUNT field non-zero. */
    private static final int MAX_SECTORS_PER_COMMAND = 0xFFFF;

    private final BackendDescriptor descriptor;
    private final AtaIdentify identify;
    private final int fd;
    private final int workers;
    private final int blockSize;
    private final int chunkBlocks;
    private final int trimBlocksPerCommand;
    private final RangeLock rangeLock = new RangeLock();
    private final ThreadLocal<SgChannel> channels = ThreadLocal.withInitial(SgChannel::new);
    private volatile boolean closed;

    public AtaBackend(BackendDescriptor descriptor, AtaIdentify identify, int fd, int workers) {
        this.descriptor = descriptor;
        this.identify = identify;
        this.fd = fd;
        this.workers = workers;
        this.blockSize = descriptor.logicalBlockSize();
        this.chunkBlocks = Math.min(Math.min(descriptor.maxTransferBlocks(), MAX_SECTORS_PER_COMMAND),
                SgChannel.BOUNCE_BYTES / blockSize);
        this.trimBlocksPerCommand = Math.max(1, Math.min(identify.maxTrimBlocks(), 8));
    }

    @Override
    public BackendDescriptor describe() {
        return descriptor;
    }

    @Override
    public int workers() {
        return workers;
    }

    /** The IDENTIFY DEVICE data read when opened. */
    public AtaIdentify identify() {
        return identify;
    }

    @Override
    public void execute(BlockRequest r) {
        SgChannel c = channels.get();
        BlockOp op = r.op();
        boolean write = op != BlockOp.READ && op != BlockOp.VERIFY;
        try {
            switch (op) {
                case READ -> {
                    ByteBuf out = r.data();
                    CompletionStatus s = read(c, r.lba(), r.blocks(), out, out.writerIndex());
                    if (s == CompletionStatus.GOOD) {
                        out.writerIndex(out.writerIndex() + r.blocks() * blockSize);
                    }
                    r.complete(s);
                }
                case WRITE -> r.complete(locked(r.lba(), r.blocks(),
                        () -> write(c, r.lba(), r.blocks(), r.data(), r.data().readerIndex(), r.fua())));
                case COMPARE_AND_WRITE -> {
                    long[] mismatch = {-1};
                    int length = r.blocks() * blockSize;
                    CompletionStatus s = locked(r.lba(), r.blocks(), () -> {
                        CompletionStatus read = compare(c, r.lba(), r.blocks(), r.data(), mismatch);
                        if (read != CompletionStatus.GOOD || mismatch[0] >= 0) {
                            return read;
                        }
                        return write(c, r.lba(), r.blocks(), r.data(), r.data().readerIndex() + length, r.fua());
                    });
                    complete(r, s, mismatch[0]);
                }
                case VERIFY -> {
                    long[] mismatch = {-1};
                    complete(r, compare(c, r.lba(), r.blocks(), r.data(), mismatch), mismatch[0]);
                }
                case FLUSH -> r.complete(flush(c));
                case UNMAP -> r.complete(trim(c, r));
                case WRITE_ZEROES -> r.complete(locked(r.lba(), r.blocks(), () -> zeroes(c, r.lba(), r.blocks())));
                case PREFETCH -> r.complete(CompletionStatus.GOOD);
            }
        } catch (LastErrorException e) {
            r.complete(write ? Errno.forWrite(e.getErrorCode()) : Errno.forRead(e.getErrorCode()));
        }
    }

    private static void complete(BlockRequest r, CompletionStatus s, long mismatch) {
        if (s == CompletionStatus.GOOD && mismatch >= 0) {
            r.completeMiscompare(mismatch);
        } else {
            r.complete(s);
        }
    }

    private CompletionStatus read(SgChannel c, long lba, int blocks, ByteBuf out, int index) {
        for (int done = 0; done < blocks; ) {
            int n = Math.min(chunkBlocks, blocks - done);
            int at = index + done * blockSize;
            long address = out.hasMemoryAddress() ? out.memoryAddress() + at : c.bounce;
            AtaPassThrough16.readDmaExt(c.cdb, lba + done, n);
            CompletionStatus s = run(c, SgIoHeader.SG_DXFER_FROM_DEV, address, n * blockSize, false, IO_TIMEOUT_MS);
            if (s != CompletionStatus.GOOD) {
                return s;
            }
            if (address == c.bounce) {
                out.setBytes(at, c.view(n * blockSize));
            }
            done += n;
        }
        return CompletionStatus.GOOD;
    }

    private CompletionStatus write(SgChannel c, long lba, int blocks, ByteBuf in, int index, boolean fua) {
        boolean deviceFua = fua && identify.fua();
        for (int done = 0; done < blocks; ) {
            int n = Math.min(chunkBlocks, blocks - done);
            int at = index + done * blockSize;
            long address = in.hasMemoryAddress() ? in.memoryAddress() + at : c.bounce;
            if (address == c.bounce) {
                in.getBytes(at, c.view(n * blockSize));
            }
            AtaPassThrough16.writeDmaExt(c.cdb, lba + done, n, deviceFua);
            CompletionStatus s = run(c, SgIoHeader.SG_DXFER_TO_DEV, address, n * blockSize, true, IO_TIMEOUT_MS);
            if (s != CompletionStatus.GOOD) {
                return s;
            }
            done += n;
        }
        return fua && !deviceFua ? flush(c) : CompletionStatus.GOOD;
    }

    /** Reads through the bounce buffer; records the first byte differing from {@code expected} in mismatch[0]. */
    private CompletionStatus compare(SgChannel c, long lba, int blocks, ByteBuf expected, long[] mismatch) {
        for (int done = 0; done < blocks; ) {
            int n = Math.min(chunkBlocks, blocks - done);
            AtaPassThrough16.readDmaExt(c.cdb, lba + done, n);
            CompletionStatus s = run(c, SgIoHeader.SG_DXFER_FROM_DEV, c.bounce, n * blockSize, false, IO_TIMEOUT_MS);
            if (s != CompletionStatus.GOOD) {
                return s;
            }
            if (expected != null) {
                var have = c.view(n * blockSize);
                int from = expected.readerIndex() + done * blockSize;
                for (int i = 0; i < n * blockSize; i++) {
                    if (have.get(i) != expected.getByte(from + i)) {
                        mismatch[0] = (long) done * blockSize + i;
                        return CompletionStatus.GOOD;
                    }
                }
            }
            done += n;
        }
        return CompletionStatus.GOOD;
    }

    private CompletionStatus flush(SgChannel c) {
        AtaPassThrough16.flushCacheExt(c.cdb);
        return run(c, SgIoHeader.SG_DXFER_NONE, 0, 0, true, FLUSH_TIMEOUT_MS);
    }

    /** DATA SET MANAGEMENT TRIM, ranges split into entries of at most 65535 sectors, sent as they fill a command. */
    private CompletionStatus trim(SgChannel c, BlockRequest r) {
        if (!identify.trim()) {
            return CompletionStatus.UNSUPPORTED;
        }
        byte[] list = new byte[trimBlocksPerCommand * TrimRanges.BLOCK];
        int entries = 0;
        for (int i = 0; i < r.rangeCount(); i++) {
            long lba = r.rangeLba(i);
            long left = r.rangeBlocks(i);
            while (left > 0) {
                int n = (int) Math.min(left, TrimRanges.MAX_RANGE);
                TrimRanges.entry(list, entries++, lba, n);
                lba += n;
                left -= n;
                if (entries == trimBlocksPerCommand * TrimRanges.ENTRIES_PER_BLOCK) {
                    CompletionStatus s = sendTrim(c, list, entries);
                    if (s != CompletionStatus.GOOD) {
                        return s;
                    }
                    java.util.Arrays.fill(list, (byte) 0);
                    entries = 0;
                }
            }
        }
        return entries == 0 ? CompletionStatus.GOOD : sendTrim(c, list, entries);
    }

    private CompletionStatus sendTrim(SgChannel c, byte[] list, int entries) {
        int blocks = TrimRanges.blocks(entries);
        c.view(blocks * TrimRanges.BLOCK).put(list, 0, blocks * TrimRanges.BLOCK);
        AtaPassThrough16.dataSetManagementTrim(c.cdb, blocks);
        return run(c, SgIoHeader.SG_DXFER_TO_DEV, c.bounce, blocks * TrimRanges.BLOCK, true, FLUSH_TIMEOUT_MS);
    }

    /** Writes zeroes from the zero-filled bounce buffer. */
    private CompletionStatus zeroes(SgChannel c, long lba, int blocks) {
        for (int done = 0; done < blocks; ) {
            int n = Math.min(chunkBlocks, blocks - done);
            c.view(n * blockSize).put(new byte[n * blockSize]);
            AtaPassThrough16.writeDmaExt(c.cdb, lba + done, n, false);
            CompletionStatus s = run(c, SgIoHeader.SG_DXFER_TO_DEV, c.bounce, n * blockSize, true, IO_TIMEOUT_MS);
            if (s != CompletionStatus.GOOD) {
                return s;
            }
            done += n;
        }
        return CompletionStatus.GOOD;
    }

    /** Runs the CDB in the channel; the ATA registers decide when the SATL returned them, else the SCSI status. */
    private CompletionStatus run(SgChannel c, int direction, long address, int bytes, boolean write, int timeout) {
        c.run(fd, AtaPassThrough16.LENGTH, direction, address, bytes, timeout);
        AtaStatus ata = c.hostStatus() == 0 ? AtaStatus.from(c.sense()) : null;
        if (ata != null) {
            return ata.toCompletion(write);
        }
        return ScsiOutcome.map(c.status(), c.hostStatus(), c.driverStatus(), c.sense(), write);
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
                flush(channels.get());
            }
        } finally {
            LibC.close(fd);
        }
    }
}
