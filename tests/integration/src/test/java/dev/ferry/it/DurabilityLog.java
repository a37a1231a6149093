package dev.ferry.it;

import java.util.ArrayList;
import java.util.List;

/**
 * What an initiator was promised about one disk: per block, the newest write that is durable (acknowledged with
 * FUA, or acknowledged before a cache flush that was itself acknowledged) and the newest one acknowledged at all.
 * {@link #check} holds a read of the disk against it. One writer at a time (the tests write with queue depth 1).
 */
final class DurabilityLog {
    private final long[] durable;
    private final long[] acknowledged;
    private final List<long[]> sinceFlush = new ArrayList<>(); // {lba, blocks, seq} acknowledged without FUA
    private long lastIssued;
    private long durableWrites;
    private long writes;

    DurabilityLog(int blocks) {
        durable = new long[blocks];
        acknowledged = new long[blocks];
    }

    int blocks() {
        return durable.length;
    }

    /** The sequence number of the next write; it may reach the disk from now on, acknowledged or not. */
    synchronized long issue() {
        return ++lastIssued;
    }

    synchronized void acknowledged(long lba, int blocks, long seq, boolean fua) {
        writes++;
        for (int i = 0; i < blocks; i++) {
            acknowledged[(int) lba + i] = seq;
        }
        if (fua) {
            markDurable(lba, blocks, seq);
        } else {
            sinceFlush.add(new long[] {lba, blocks, seq});
        }
    }

    /** A flush sent after the writes acknowledged so far was acknowledged: they are all durable now. */
    synchronized void flushed() {
        sinceFlush.forEach(w -> markDurable(w[0], (int) w[1], w[2]));
        sinceFlush.clear();
    }

    private void markDurable(long lba, int blocks, long seq) {
        durableWrites++;
        for (int i = 0; i < blocks; i++) {
            durable[(int) lba + i] = Math.max(durable[(int) lba + i], seq);
        }
    }

    synchronized long writes() {
        return writes;
    }

    synchronized long durableWrites() {
        return durableWrites;
    }

    /** What a check of the whole disk found. */
    record Verdict(List<String> violations, int nonDurableRolledBack) {
    }

    /**
     * Checks blocks {@code first}.. of a read ({@code data}): a block a durable write reached must hold that write or
     * a later issued one, intact and at its own LBA. Acknowledged writes that were not durable may be gone; those
     * are counted, not failed.
     */
    synchronized Verdict check(long first, byte[] data) {
        List<String> violations = new ArrayList<>();
        int rolledBack = 0;
        for (int i = 0; i < data.length / StampedBlock.SIZE; i++) {
            int lba = (int) first + i;
            StampedBlock.Found f = StampedBlock.read(data, i);
            long seq = f.blank() ? 0 : f.seq();
            if (!f.blank() && !f.intact()) {
                violations.add("LBA " + lba + ": torn or corrupt block (checksum mismatch), durable write "
                        + durable[lba]);
            } else if (!f.blank() && f.lba() != lba) {
                violations.add("LBA " + lba + ": holds the block of LBA " + f.lba() + " (write " + seq + ")");
            } else if (seq < durable[lba]) {
                violations.add("LBA " + lba + ": durable write " + durable[lba] + " lost, found "
                        + (f.blank() ? "zeroes" : "write " + seq));
            } else if (seq > lastIssued) {
                violations.add("LBA " + lba + ": write " + seq + " was never issued");
            } else if (seq < acknowledged[lba]) {
                rolledBack++;
            }
        }
        return new Verdict(violations, rolledBack);
    }
}
