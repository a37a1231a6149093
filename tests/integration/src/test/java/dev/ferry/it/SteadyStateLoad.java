package dev.ferry.it;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Random 4 KiB reads and writes, half each, over a region of a LUN, through one {@link PipelinedQueue} kept full.
 * Every write stamps its block with the block number and a per-block version; every read must return the latest
 * version written there, so the load cannot "pass" by moving no data. A block never has two commands in flight,
 * so the expected content is always defined. Allocates nothing per I/O.
 */
final class SteadyStateLoad {
    private final PipelinedQueue queue;
    private final int blocks;
    private final int[] version;
    private final boolean[] busy;
    private final long[] tagBlock;
    private final boolean[] tagWrite;
    private final SplittableRandom random;
    private long reads;
    private long writes;

    /** @param blocks the region: I/O units 0 .. blocks - 1 */
    SteadyStateLoad(PipelinedQueue queue, int blocks, long seed) {
        this.queue = queue;
        this.blocks = blocks;
        this.version = new int[blocks];
        this.busy = new boolean[blocks];
        this.tagBlock = new long[queue.depth()];
        this.tagWrite = new boolean[queue.depth()];
        this.random = new SplittableRandom(seed);
    }

    /** Writes every block of the region once (version 1), so any later read has a known expected content. */
    void fill() throws IOException {
        int next = 0;
        int inFlight = 0;
        for (int tag = 0; tag < queue.depth() && next < blocks; tag++, inFlight++) {
            write(tag, next++);
        }
        while (inFlight > 0) {
            int tag = complete();
            if (next < blocks) {
                write(tag, next++);
            } else {
                inFlight--;
            }
        }
    }

    /** Runs exactly {@code count} random reads and writes (half each on average) with the queue kept full. */
    void run(long count) throws IOException {
        long issued = 0;
        int inFlight = 0;
        for (int tag = 0; tag < queue.depth() && issued < count; tag++, issued++, inFlight++) {
            issueRandom(tag);
        }
        while (inFlight > 0) {
            int tag = complete();
            if (issued < count) {
                issueRandom(tag);
                issued++;
            } else {
                inFlight--;
            }
        }
    }

    long reads() {
        return reads;
    }

    long writes() {
        return writes;
    }

    private void issueRandom(int tag) throws IOException {
        int block;
        do {
            block = random.nextInt(blocks);
        } while (busy[block]);
        if (random.nextBoolean()) {
            write(tag, block);
        } else {
            tagBlock[tag] = block;
            tagWrite[tag] = false;
            busy[block] = true;
            queue.submit(tag, false, block);
        }
    }

    private void write(int tag, int block) throws IOException {
        version[block]++;
        stamp(queue.buffer(tag), block, version[block]);
        tagBlock[tag] = block;
        tagWrite[tag] = true;
        busy[block] = true;
        queue.submit(tag, true, block);
    }

    /** Waits for one completion, checks a read's data, frees its block; returns the tag. */
    private int complete() throws IOException {
        int tag = queue.awaitAny();
        int block = (int) tagBlock[tag];
        busy[block] = false;
        if (tagWrite[tag]) {
            writes++;
        } else {
            reads++;
            check(queue.buffer(tag), block, version[block]);
        }
        return tag;
    }

    private static long word(long block, int version, int i) {
        return (block << 40 | (long) version << 12 | i) * 0x9E3779B97F4A7C15L;
    }

    private static void stamp(ByteBuffer b, long block, int version) {
        for (int i = 0; i < b.limit() / Long.BYTES; i++) {
            b.putLong(i * Long.BYTES, word(block, version, i));
        }
    }

    private static void check(ByteBuffer b, long block, int version) {
        for (int i = 0; i < b.limit() / Long.BYTES; i++) {
            if (b.getLong(i * Long.BYTES) != word(block, version, i)) {
                throw new AssertionError("block " + block + " read back wrong at byte " + i * Long.BYTES
                        + ": expected version " + version + " as written last");
            }
        }
    }
}
