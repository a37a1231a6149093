package dev.ferry.frontend.transport;

import dev.ferry.core.ring.LoopIteration;
import io.netty.channel.ChannelHandlerContext;

/**
 * Coalesces one connection's flushes to at most one {@code ctx.flush()} per event-loop iteration: the handler
 * writes its responses with {@code ctx.write(msg, ctx.voidPromise())} and calls {@link #flushSoon} after each;
 * the flush runs once the loop has read every ready socket, run its tasks and drained the core's completions
 * ({@link LoopIteration#atEnd}: Netty's tail tasks), so the responses of one
 * iteration leave in one {@code writev}. A write made after that flush (a completion delivered by a later tail
 * task) asks again and gets a flush of its own in the same pass of the tail tasks, so nothing waits for the
 * next iteration.
 *
 * <p>One per connection, made when its handler is added; it is its own tail task, so asking allocates nothing.
 * Event-loop thread only.
 */
public final class FlushCoalescer implements Runnable {
    private final ChannelHandlerContext ctx;
    /** A flush is queued and has not run yet. */
    private boolean scheduled;

    public FlushCoalescer(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Flushes {@code ctx} at the end of this loop iteration, once however often it is asked. */
    public void flushSoon() {
        if (!scheduled) {
            scheduled = true;
            LoopIteration.atEnd(ctx.channel().eventLoop(), this);
        }
    }

    /** The queued flush. */
    @Override
    public void run() {
        scheduled = false; // cleared first: a write the flush triggers (a listener) asks again
        ctx.flush();
    }
}
