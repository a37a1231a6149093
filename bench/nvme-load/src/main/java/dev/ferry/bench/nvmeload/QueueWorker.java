package dev.ferry.bench.nvmeload;

import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps {@code depth} commands in flight on one I/O queue: every completion immediately issues the next command
 * under the same CID. Writes fill the region once, in order (shared cursor); reads pick random blocks until the
 * deadline and verify each against the {@link DataPattern}.
 */
final class QueueWorker implements Callable<QueueWorker.Result> {
    record Result(long ios, long mismatches, long failures) {
    }

    private final QueueConnection queue;
    private final long nsid;
    private final int lbasPerIo;
    private final DataPattern pattern;
    private final int depth;
    private final boolean write;
    private final AtomicInteger writeCursor;
    private final long deadlineNanos;
    private final SplittableRandom random;
    private final int[] blockOf;
    private final byte[][] received;

    QueueWorker(QueueConnection queue, long nsid, int blockSize, DataPattern pattern, int depth, boolean write,
                AtomicInteger writeCursor, long deadlineNanos, long seed) {
        this.queue = queue;
        this.nsid = nsid;
        this.lbasPerIo = DataPattern.IO_SIZE / blockSize;
        this.pattern = pattern;
        this.depth = depth;
        this.write = write;
        this.writeCursor = writeCursor;
        this.deadlineNanos = deadlineNanos;
        this.random = new SplittableRandom(seed);
        this.blockOf = new int[depth];
        this.received = new byte[depth][];
    }

    @Override
    public Result call() throws IOException {
        int inFlight = 0;
        for (int cid = 0; cid < depth; cid++) {
            inFlight += issue(cid) ? 1 : 0;
        }
        queue.flush();
        long ios = 0;
        long mismatches = 0;
        long failures = 0;
        while (inFlight > 0) {
            QueueConnection.Pdu p = queue.read();
            int cid = p.cid();
            boolean done;
            boolean ok = true;
            if (p.type() == Wire.C2H_DATA) {
                received[cid] = p.data(); // 4 KiB fits one C2HData PDU
                done = (p.flags() & Wire.FLAG_SUCCESS) != 0;
            } else if (p.type() == Wire.CAPSULE_RESP) {
                done = true;
                ok = p.status() == 0;
            } else {
                throw new IOException("unexpected PDU type " + p.type());
            }
            if (done) {
                if (!ok) {
                    failures++;
                } else if (!write && !pattern.matches(blockOf[cid], received[cid])) {
                    mismatches++;
                } else {
                    ios++;
                }
                received[cid] = null;
                if (!issue(cid)) {
                    inFlight--;
                }
            }
            if (!queue.readable()) {
                queue.flush();
            }
        }
        return new Result(ios, mismatches, failures);
    }

    /** Sends the next command under {@code cid}; false when this queue's work is over. */
    private boolean issue(int cid) throws IOException {
        int block;
        if (write) {
            block = writeCursor.getAndIncrement();
            if (block >= pattern.blocks()) {
                return false;
            }
        } else {
            if (System.nanoTime() >= deadlineNanos) {
                return false;
            }
            block = random.nextInt(pattern.blocks());
        }
        blockOf[cid] = block;
        int opcode = write ? Wire.OPC_WRITE : Wire.OPC_READ;
        long lba = (long) block * lbasPerIo;
        queue.send(Wire.capsule(Wire.readWrite(opcode, cid, nsid, lba, lbasPerIo, DataPattern.IO_SIZE),
                write ? DataPattern.content(block) : null));
        return true;
    }
}
