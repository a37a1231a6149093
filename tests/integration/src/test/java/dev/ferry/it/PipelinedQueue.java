package dev.ferry.it;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One queue of a lean test client that keeps several fixed-size commands in flight on one socket: tag t owns
 * {@link #buffer(int) buffer t}, which a write sends and a read fills. Built for steady-state load, so it allocates
 * nothing per command itself (what the target allocates is what a test measures). Not thread-safe.
 */
interface PipelinedQueue extends AutoCloseable {
    /** Bytes each command moves. */
    int ioBytes();

    /** How many tags there are (the queue depth); tags are 0 .. depth - 1. */
    int depth();

    /** The 4 KiB data buffer of a tag (position 0, limit {@link #ioBytes()}). */
    ByteBuffer buffer(int tag);

    /** Sends a read or write of one I/O unit at {@code unit} (in units of {@link #ioBytes()}) under a free tag. */
    void submit(int tag, boolean write, long unit) throws IOException;

    /** Waits for the next command to complete successfully and returns its tag; a failed command throws. */
    int awaitAny() throws IOException;

    @Override
    void close() throws IOException;
}
