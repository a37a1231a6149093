package dev.ferry.it;

import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;

/**
 * A lean NVMe/TCP I/O queue for steady-state load (NVMe/TCP 1.0, laid out byte by byte, no digests): Read / Write
 * of one fixed I/O size under CID = tag, write data in the capsule when IOCCSZ allows and on R2T otherwise, read
 * data from C2HData (with or without a CapsuleResp after it). Reuses its buffers: nothing is allocated per command
 * once connected. The controller's admin queue is the caller's ({@link NvmeTcpTestHost#connectAdmin}).
 */
final class LeanNvmeTcpQueue implements PipelinedQueue {
    // NVMe/TCP 1.0 Figure 15: PDU types
    private static final int IC_REQ = 0x00;
    private static final int IC_RESP = 0x01;
    private static final int CAPSULE_CMD = 0x04;
    private static final int CAPSULE_RESP = 0x05;
    private static final int H2C_DATA = 0x06;
    private static final int C2H_DATA = 0x07;
    private static final int R2T = 0x09;
    /** Figure 25/29: LAST_PDU, and C2HData's SUCCESS (no CapsuleResp follows, 3.3.2.1). */
    private static final int FLAG_LAST_PDU = 0x04;
    private static final int FLAG_SUCCESS = 0x08;
    private static final int IC_LENGTH = 128;
    private static final int CAPSULE_HEADER = 8 + 64;
    private static final int H2C_HEADER = 24;
    private static final int CONNECT_DATA = 1024;
    /** NVM Command Set 1.0 Figures 64/37: Write, Read; SLBA in CDW10-11, 0's based NLB in CDW12. */
    private static final int OPC_WRITE = 0x01;
    private static final int OPC_READ = 0x02;
    /** Base 2.0 Figure 119: SGL Data Block descriptor, offset into the capsule (01h) or transport (5Ah). */
    private static final int SGL_IN_CAPSULE = 0x01;
    private static final int SGL_TRANSPORT = 0x5A;
    private static final int RECEIVE_BUFFER = 256 << 10;

    private final SocketChannel channel;
    private final ByteBuffer rx = ByteBuffer.allocateDirect(RECEIVE_BUFFER).order(ByteOrder.LITTLE_ENDIAN).flip();
    private final ByteBuffer tx;
    private final ByteBuffer[] buffers;
    private final int ioBytes;
    private final int blocksPerIo;
    private final long nsid;
    private final boolean inCapsuleWrites;
    private int maxH2cData;

    /**
     * Connects I/O queue {@code qid} of controller {@code cntlid}.
     *
     * @param inCapsuleBytes the controller's in-capsule data size for I/O queues (IOCCSZ * 16 - 64)
     */
    LeanNvmeTcpQueue(InetSocketAddress target, String subnqn, int cntlid, int qid, long nsid, int blockSize,
                     int ioBytes, int depth, int inCapsuleBytes) throws IOException {
        this.ioBytes = ioBytes;
        this.blocksPerIo = ioBytes / blockSize;
        this.nsid = nsid;
        this.inCapsuleWrites = inCapsuleBytes >= ioBytes;
        this.tx = ByteBuffer.allocateDirect(CAPSULE_HEADER + Math.max(ioBytes, CONNECT_DATA))
                .order(ByteOrder.LITTLE_ENDIAN);
        this.buffers = new ByteBuffer[depth];
        for (int t = 0; t < depth; t++) {
            buffers[t] = ByteBuffer.allocateDirect(ioBytes);
        }
        channel = SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(target);
            initialize();
            connect(subnqn, cntlid, qid, depth);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** ICReq (Figure 19): PFV 0, HPDA 0, no digests, MAXR2T 0's based; ICResp gives MAXH2CDATA (Figure 20). */
    private void initialize() throws IOException {
        clear(IC_LENGTH);
        tx.put(0, (byte) IC_REQ).put(2, (byte) IC_LENGTH).putInt(4, IC_LENGTH).putInt(12, 3);
        send(IC_LENGTH);
        int at = readPdu();
        if (rx.get(at) != IC_RESP) {
            throw new IOException("expected ICResp, got PDU type " + rx.get(at));
        }
        maxH2cData = rx.getInt(at + 12);
        rx.position(at + rx.getInt(at + 4));
    }

    private void connect(String subnqn, int cntlid, int qid, int depth) throws IOException {
        byte[] sqe = NvmeTcpTestHost.connectSqe(depth, qid, Math.max(depth, 31), 0);
        byte[] data = NvmeTcpTestHost.connectData(cntlid, subnqn, NvmeTcpTestHost.HOST_NQN);
        capsuleHeader(CONNECT_DATA);
        tx.put(8, sqe).put(CAPSULE_HEADER, data);
        send(CAPSULE_HEADER + CONNECT_DATA);
        int at = readPdu();
        int status = (rx.getShort(at + 8 + 14) & 0xFFFF) >>> 1;
        if (rx.get(at) != CAPSULE_RESP || status != 0) {
            throw new IOException("I/O queue Connect failed: PDU type " + rx.get(at) + " status 0x"
                    + Integer.toHexString(status));
        }
        rx.position(at + rx.getInt(at + 4));
    }

    @Override
    public int ioBytes() {
        return ioBytes;
    }

    @Override
    public int depth() {
        return buffers.length;
    }

    @Override
    public ByteBuffer buffer(int tag) {
        return buffers[tag];
    }

    @Override
    public void submit(int tag, boolean write, long unit) throws IOException {
        int inCapsule = write && inCapsuleWrites ? ioBytes : 0;
        capsuleHeader(inCapsule);
        // SQE (Base 2.0 Figure 88) at byte 8: CDW0 (opcode, PSDT 01b = SGL, CID), NSID, SGL1, CDW10-12
        tx.put(8, (byte) (write ? OPC_WRITE : OPC_READ)).put(9, (byte) 0x40).putShort(10, (short) tag)
                .putInt(12, (int) nsid);
        tx.putInt(8 + 32, ioBytes).put(8 + 39, (byte) (inCapsule > 0 ? SGL_IN_CAPSULE : SGL_TRANSPORT));
        tx.putLong(8 + 40, unit * blocksPerIo).putInt(8 + 48, blocksPerIo - 1);
        if (inCapsule > 0) {
            tx.put(CAPSULE_HEADER, buffers[tag], 0, inCapsule);
        }
        send(CAPSULE_HEADER + inCapsule);
    }

    @Override
    public int awaitAny() throws IOException {
        while (true) {
            int at = readPdu();
            int end = at + rx.getInt(at + 4);
            switch (rx.get(at)) {
                case C2H_DATA -> {
                    int tag = rx.getShort(at + 8) & 0xFFFF;
                    buffers[tag].put(rx.getInt(at + 12), rx, at + (rx.get(at + 3) & 0xFF), rx.getInt(at + 16));
                    rx.position(end);
                    if ((rx.get(at + 1) & FLAG_SUCCESS) != 0) {
                        return tag;
                    }
                }
                case CAPSULE_RESP -> {
                    // CQE (Base 2.0 Figure 90) at byte 8: CID in bytes 12-13, status (phase bit 0) in 14-15
                    int tag = rx.getShort(at + 8 + 12) & 0xFFFF;
                    int status = (rx.getShort(at + 8 + 14) & 0xFFFF) >>> 1;
                    rx.position(end);
                    if (status != 0) {
                        throw new IOException("CID " + tag + " failed with status 0x" + Integer.toHexString(status));
                    }
                    return tag;
                }
                case R2T -> {
                    int tag = rx.getShort(at + 8) & 0xFFFF;
                    int ttag = rx.getShort(at + 10) & 0xFFFF;
                    int offset = rx.getInt(at + 12);
                    int length = rx.getInt(at + 16);
                    rx.position(end);
                    h2cData(tag, ttag, offset, length);
                }
                default -> throw new IOException("unexpected PDU type " + rx.get(at));
            }
        }
    }

    /** H2CData PDUs (Figure 25) for an R2T, each at most MAXH2CDATA bytes, the last one flagged LAST_PDU. */
    private void h2cData(int tag, int ttag, int offset, int length) throws IOException {
        int end = offset + length;
        while (offset < end) {
            int n = Math.min(maxH2cData, end - offset);
            clear(H2C_HEADER);
            tx.put(0, (byte) H2C_DATA).put(1, (byte) (offset + n == end ? FLAG_LAST_PDU : 0))
                    .put(2, (byte) H2C_HEADER).put(3, (byte) H2C_HEADER).putInt(4, H2C_HEADER + n);
            tx.putShort(8, (short) tag).putShort(10, (short) ttag).putInt(12, offset).putInt(16, n);
            tx.put(H2C_HEADER, buffers[tag], offset, n);
            send(H2C_HEADER + n);
            offset += n;
        }
    }

    /** CapsuleCmd common header (Figure 23) with a zeroed SQE; PDO is 72 when data follows in the capsule. */
    private void capsuleHeader(int dataLength) {
        clear(CAPSULE_HEADER);
        tx.put(0, (byte) CAPSULE_CMD).put(2, (byte) CAPSULE_HEADER)
                .put(3, (byte) (dataLength > 0 ? CAPSULE_HEADER : 0)).putInt(4, CAPSULE_HEADER + dataLength);
    }

    private void clear(int bytes) {
        for (int i = 0; i < bytes; i += Long.BYTES) {
            tx.putLong(i, 0);
        }
    }

    private void send(int length) throws IOException {
        tx.position(0).limit(length);
        while (tx.hasRemaining()) {
            channel.write(tx);
        }
        tx.clear();
    }

    /** Makes one whole PDU readable in {@code rx} (PLEN, bytes 4-7 of the common header) and returns its start. */
    private int readPdu() throws IOException {
        need(8);
        need(rx.getInt(rx.position() + 4));
        return rx.position();
    }

    private void need(int bytes) throws IOException {
        if (rx.remaining() >= bytes) {
            return;
        }
        rx.compact();
        while (rx.position() < bytes) {
            if (channel.read(rx) < 0) {
                throw new IOException("the target closed the connection");
            }
        }
        rx.flip();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
