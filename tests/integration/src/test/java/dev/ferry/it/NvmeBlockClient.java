package dev.ferry.it;

import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** {@link BlockClient} over {@link NvmeTcpTestHost}: one controller, one I/O queue; Write with FUA, Flush, Read. */
final class NvmeBlockClient implements BlockClient {
    /** NVM Command Set 1.0 Figure 27: Flush. */
    private static final int OPC_FLUSH = 0x00;
    /** NVM Command Set 1.0 Figure 64: FUA, bit 30 of CDW12 (Write). */
    private static final int CDW12_FUA = 1 << 30;
    private static final int CDW12 = 48;
    private static final int SLBA = 40;

    private final NvmeTcpTestHost admin;
    private final NvmeTcpTestHost io;
    private final long nsid;

    NvmeBlockClient(InetSocketAddress port, String subnqn, long nsid) throws IOException {
        this.nsid = nsid;
        this.admin = new NvmeTcpTestHost(port);
        NvmeTcpTestHost queue = null;
        try {
            int cntlid = admin.connectAdmin(subnqn, 0);
            queue = new NvmeTcpTestHost(port);
            queue.connectIo(subnqn, cntlid, 1, 31);
        } catch (IOException | RuntimeException e) {
            admin.close();
            if (queue != null) {
                queue.close();
            }
            throw e;
        }
        this.io = queue;
    }

    @Override
    public void write(long lba, byte[] data, boolean fua) throws IOException {
        ByteBuffer s = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(NvmeTcpTestHost.OPC_WRITE, io.nextCid(), nsid),
                data.length);
        s.putLong(SLBA, lba).putInt(CDW12, (data.length / BLOCK - 1) | (fua ? CDW12_FUA : 0));
        success(io.execute(s, null, data), "Write", lba);
    }

    @Override
    public void flush() throws IOException {
        success(io.execute(NvmeTcpTestHost.sqe(OPC_FLUSH, io.nextCid(), nsid), null, null), "Flush", 0);
    }

    @Override
    public byte[] read(long lba, int blocks) throws IOException {
        ByteBuffer s = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(NvmeTcpTestHost.OPC_READ, io.nextCid(), nsid),
                blocks * BLOCK);
        s.putLong(SLBA, lba).putInt(CDW12, blocks - 1);
        return success(io.execute(s, null, null), "Read", lba).data();
    }

    private static NvmeTcpTestHost.Completion success(NvmeTcpTestHost.Completion c, String what, long lba) {
        if (c.status() != 0) {
            throw new AssertionError(what + " at LBA " + lba + ": status 0x" + Integer.toHexString(c.status()));
        }
        return c;
    }

    @Override
    public void close() throws IOException {
        try {
            io.close();
        } finally {
            admin.close();
        }
    }

    @Override
    public String toString() {
        return "NVMe/TCP namespace " + nsid;
    }
}
