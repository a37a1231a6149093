package dev.ferry.frontend.scsi;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;

/**
 * Idle {@link ScsiCommand}s of each event loop thread. Every loop shares the command set, so the pool is per thread
 * (an indexed lookup on Netty's loop threads) and needs no lock. A loop has at most its completion queue's capacity
 * of commands waiting for a block request, plus the few it is running, so the pool keeps at most that many idle:
 * it grows to the loop's in-flight bound while warming up and allocates nothing after that.
 */
final class ScsiCommandPool {
    private static final FastThreadLocal<ArrayDeque<ScsiCommand>> IDLE = new FastThreadLocal<>() {
        @Override
        protected ArrayDeque<ScsiCommand> initialValue() {
            return new ArrayDeque<>();
        }
    };

    private ScsiCommandPool() {
    }

    /** An idle command of this thread, or a new one. */
    static ScsiCommand take() {
        ScsiCommand c = IDLE.get().pollLast();
        return c != null ? c : new ScsiCommand();
    }

    /** Idle commands of this thread (what the bound holds). */
    static int idle() {
        return IDLE.get().size();
    }

    /** Keeps {@code c} (finished and cleared) for reuse, unless {@code bound} are idle already. */
    static void give(ScsiCommand c, int bound) {
        ArrayDeque<ScsiCommand> idle = IDLE.get();
        if (idle.size() < bound) {
            idle.addLast(c);
        }
    }
}
