package dev.ferry.bench.initiator;

import java.io.IOException;
import java.nio.ByteBuffer;

/** One logical unit / namespace reached over one connection (one I/O queue), one command at a time. */
interface BlockDevice extends AutoCloseable {
    int blockSize();

    /** Reads {@code into.limit()} bytes at {@code lba} into {@code into} (a direct buffer, position 0). */
    void read(long lba, ByteBuffer into) throws IOException;

    /** Writes {@code from.limit()} bytes of {@code from} at {@code lba}. */
    void write(long lba, ByteBuffer from) throws IOException;

    @Override
    void close() throws IOException;

    /**
     * {@code iscsi://HOST:PORT/IQN/LUN} or {@code nvme://HOST:PORT/NQN/NSID} (NVMe/TCP: its own admin queue and
     * one I/O queue). {@code instance} tells apart several connections of this process to one target.
     */
    static BlockDevice open(String url, int instance) throws IOException {
        java.net.URI u = java.net.URI.create(url);
        String[] path = u.getPath().substring(1).split("/");
        if (path.length != 2) {
            throw new IllegalArgumentException("expected iscsi://HOST:PORT/IQN/LUN or nvme://HOST:PORT/NQN/NSID: " + url);
        }
        java.net.InetSocketAddress at = new java.net.InetSocketAddress(u.getHost(), u.getPort());
        return switch (u.getScheme()) {
            case "iscsi" -> new IscsiSession(at, path[0], Long.parseLong(path[1]), instance);
            case "nvme" -> new NvmeTcpController(at, path[0], Long.parseLong(path[1]));
            default -> throw new IllegalArgumentException("unknown scheme in " + url);
        };
    }
}
