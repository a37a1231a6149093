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
    private static final VarHandle UNDER_WAY;

    static {
        try {
            UNDER_WAY = MethodHandles.lookup().findVarHandle(LoopSubmits.class, "underWay", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through UNDER_WAY
    private int underWay;

    /** Before the loop reads the closed flag. Owning loop only. */
    void enter() {
        UNDER_WAY.setVolatile(this, (int) UNDER_WAY.getOpaque(this) + 1);
    }

    /** After the request is in a ring, executed or completed. Owning loop only. */
    void leave() {
        UNDER_WAY.setRelease(this, (int) UNDER_WAY.getOpaque(this) - 1);
    }

    /** Whether a submit is under way; any thread. */
    boolean underWay() {
        return (int) UNDER_WAY.getVolatile(this) > 0;
    }
}
