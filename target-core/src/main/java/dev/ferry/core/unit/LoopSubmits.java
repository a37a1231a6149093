package dev.ferry.core.unit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The submits one event loop has under way on a unit, so that {@link LogicalUnit#close} can wait for them without a
 * counter every loop updates. Only the owning loop changes it; the count (not a flag) allows a completion callback
 * that an inline executor runs inside a submit to submit again.
 *
 * <p>Entering is a volatile store, which orders it before the loop's following read of the unit's closed flag;
 * close sets that flag and then reads this. Either the loop sees the unit closed or close sees the loop inside (the
 * two sides of Dekker's handshake), with no read-modify-write of a line another loop writes.
 */
final class LoopSubmits {
    /**
     * Ints on each side of the count: 128 bytes, two cache lines (the adjacent-line prefetcher fetches pairs), so the
     * garbage collector, which may place two loops' instances side by side, never puts two counts on one line.
     */
    private static final int PAD = 32;
    private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(int[].class);

    private final int[] cell = new int[2 * PAD + 1];

    /** Before the loop reads the closed flag. Owning loop only. */
    void enter() {
        CELL.setVolatile(cell, PAD, (int) CELL.getOpaque(cell, PAD) + 1);
    }

    /** After the request is in a ring, executed or completed. Owning loop only. */
    void leave() {
        CELL.setRelease(cell, PAD, (int) CELL.getOpaque(cell, PAD) - 1);
    }

    /** Whether a submit is under way; any thread. */
    boolean underWay() {
        return (int) CELL.getVolatile(cell, PAD) > 0;
    }
}
