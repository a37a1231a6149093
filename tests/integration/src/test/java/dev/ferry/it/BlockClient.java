package dev.ferry.it;

import java.io.IOException;

/**
 * Whole-block I/O on one LUN or namespace, whatever the protocol. A status other than success is an
 * {@link AssertionError} (the target said something is wrong); a lost connection is an {@link IOException}.
 */
interface BlockClient extends AutoCloseable {
    int BLOCK = 512;

    void write(long lba, byte[] data, boolean fua) throws IOException;

    /** SYNCHRONIZE CACHE over the whole medium, or NVMe Flush. */
    void flush() throws IOException;

    byte[] read(long lba, int blocks) throws IOException;

    @Override
    void close() throws IOException;
}
