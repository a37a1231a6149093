package dev.ferry.frontend.nvmetcp.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * A minimal blocking NVMe/TCP host for tests: one socket = one queue. It writes PDUs byte by byte as the NVMe/TCP
 * 1.0 figures lay them out, independently of the production encoder, and parses what comes back. Published in
 * this module's test-jar so other modules' tests (the cross-protocol integration test) can drive Ferry over NVMe/TCP.
 */
public final class NvmeTcpTestHost implements AutoCloseable {
    public static final String HOST_NQN = "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555";
    public static final byte[] HOST_ID = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    /** A received PDU: common header fields, the header bytes (CH + PSH) and the data. */
    public record Received(int type, int flags, int hlen, int pdo, int plen, ByteBuffer header, byte[] data) {
        public int u16(int offset) { return header.getShort(offset) & 0xFFFF; }
        public long u32(int offset) { return header.getInt(offset) & 0xFFFFFFFFL; }
        public long u64(int offset) { return header.getLong(offset); }
        /** CapsuleResp CQE fields. */
        public int status() { return u16(8 + 14) >>> 1; }
        public int cid() { return u16(8 + 12); }
        public long result() { return u64(8); }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private boolean headerDigest;
    private boolean dataDigest;
    private int nextCid = 1;

    public NvmeTcpTestHost(InetSocketAddress target) throws IOException {
        this(target, 0);
    }

    /**
     * @param receiveBufferSize SO_RCVBUF set before connecting (0: the system's, auto-tuned): a small one keeps
     *                          the kernel from absorbing what a host that does not read leaves in Ferry
     */
    public NvmeTcpTestHost(InetSocketAddress target, int receiveBufferSize) throws IOException {
        socket = new Socket();
        if (receiveBufferSize > 0) {
            socket.setReceiveBufferSize(receiveBufferSize);
        }
        socket.connect(target, 5000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** This host's end of the connection: what the target sees as the host's address. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** Whether the ICResp granted the header digest (HDGST_ENABLE). */
    public boolean headerDigest() {
        return headerDigest;
    }

    public boolean dataDigest() {
        return dataDigest;
    }

    public int nextCid() {
        return nextCid++;
    }

    /** ICReq (Figure 19) and its ICResp; returns the ICResp. */
    public Received initialize(boolean hdgst, boolean ddgst) throws IOException {
        ByteBuffer b = le(128);
        b.put((byte) 0).put((byte) 0).put((byte) 128).put((byte) 0).putInt(128);
        b.putShort((short) 0).put((byte) 0).put((byte) ((hdgst ? 1 : 0) | (ddgst ? 2 : 0))).putInt(3);
        sendRaw(b.array());
        Received resp = read();
        int dgst = resp.header().get(11);
        headerDigest = (dgst & 1) != 0;
        dataDigest = (dgst & 2) != 0;
        return resp;
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** CapsuleCmd (Figure 23) with optional in-capsule data. */
    public void sendCapsule(byte[] sqe, byte[] data) throws IOException {
        sendRaw(capsule(sqe, data));
    }

    /** The bytes of a CapsuleCmd, for tests that send several PDUs in one write. */
    public byte[] capsule(byte[] sqe, byte[] data) {
        int hd = headerDigest ? 4 : 0;
        boolean hasData = data != null && data.length > 0;
        int dd = hasData && dataDigest ? 4 : 0;
        int pdo = hasData ? 72 + hd : 0;
        int plen = 72 + hd + (hasData ? data.length + dd : 0);
        ByteBuffer b = le(plen);
        b.put((byte) 0x04).put((byte) ((hd > 0 ? 1 : 0) | (dd > 0 ? 2 : 0))).put((byte) 72).put((byte) pdo).putInt(plen);
        b.put(sqe);
        if (hd > 0) {
            b.putInt(crc(b.array(), 0, 72));
        }
        if (hasData) {
            b.put(data);
            if (dd > 0) {
                b.putInt(crc(data, 0, data.length));
            }
        }
        return b.array();
    }

    /** H2CData (Figure 25). */
    public void sendH2CData(int cccid, int ttag, int offset, byte[] data, int from, int length, boolean last)
            throws IOException {
        int hd = headerDigest ? 4 : 0;
        int dd = dataDigest ? 4 : 0;
        int plen = 24 + hd + length + dd;
        ByteBuffer b = le(plen);
        b.put((byte) 0x06).put((byte) ((hd > 0 ? 1 : 0) | (dd > 0 ? 2 : 0) | (last ? 4 : 0))).put((byte) 24)
                .put((byte) (24 + hd)).putInt(plen);
        b.putShort((short) cccid).putShort((short) ttag).putInt(offset).putInt(length).putInt(0);
        if (hd > 0) {
            b.putInt(crc(b.array(), 0, 24));
        }
        b.put(data, from, length);
        if (dd > 0) {
            b.putInt(crc(data, from, length));
        }
        sendRaw(b.array());
    }

    public Received read() throws IOException {
        byte[] ch = new byte[8];
        in.readFully(ch);
        ByteBuffer c = ByteBuffer.wrap(ch).order(ByteOrder.LITTLE_ENDIAN);
        int type = ch[0] & 0xFF;
        int flags = ch[1] & 0xFF;
        int hlen = ch[2] & 0xFF;
        int pdo = ch[3] & 0xFF;
        int plen = c.getInt(4);
        byte[] rest = new byte[plen - 8];
        in.readFully(rest);
        byte[] header = new byte[hlen];
        System.arraycopy(ch, 0, header, 0, 8);
        System.arraycopy(rest, 0, header, 8, hlen - 8);
        boolean hasHd = (flags & 1) != 0;
        boolean hasDd = (flags & 2) != 0;
        if (hasHd) {
            int digest = ByteBuffer.wrap(rest, hlen - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if (digest != crc(header, 0, hlen)) {
                throw new IOException("bad header digest from target");
            }
        }
        byte[] data = new byte[0];
        if (pdo > 0) {
            int length = plen - pdo - (hasDd ? 4 : 0);
            data = new byte[length];
            System.arraycopy(rest, pdo - 8, data, 0, length);
            if (hasDd) {
                int digest = ByteBuffer.wrap(rest, pdo - 8 + length, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
                if (digest != crc(data, 0, length)) {
                    throw new IOException("bad data digest from target");
                }
            }
        } else if (type == 0x03) {
            data = new byte[plen - hlen];
            System.arraycopy(rest, hlen - 8, data, 0, data.length);
        }
        return new Received(type, flags, hlen, pdo, plen, ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN), data);
    }

    /**
     * The outcome of one command: its CapsuleResp (null when the last C2HData carried SUCCESS and the host
     * synthesizes a zero CQE, 3.3.2.1) and the C2H data that preceded it.
     */
    public record Completion(Received response, byte[] data) {
        public int status() { return response == null ? 0 : response.status(); }
        public long result() { return response == null ? 0 : response.result(); }
    }

    /**
     * Sends a command and runs it to completion: answers R2Ts with {@code hostData} in H2CData PDUs of at most
     * 32 KiB, collects C2HData.
     */
    public Completion execute(byte[] sqe, byte[] inCapsule, byte[] hostData) throws IOException {
        sendCapsule(sqe, inCapsule);
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        while (true) {
            Received r = read();
            switch (r.type()) {
                case 0x09 -> {
                    int cccid = r.u16(8);
                    int ttag = r.u16(10);
                    int offset = (int) r.u32(12);
                    int length = (int) r.u32(16);
                    for (int at = 0; at < length; at += 32 * 1024) {
                        int n = Math.min(32 * 1024, length - at);
                        sendH2CData(cccid, ttag, offset + at, hostData, offset + at, n, at + n == length);
                    }
                }
                case 0x07 -> {
                    data.write(r.data());
                    if ((r.flags() & 0x08) != 0) {
                        return new Completion(null, data.toByteArray());
                    }
                }
                case 0x05 -> {
                    return new Completion(r, data.toByteArray());
                }
                default -> throw new IOException("unexpected PDU type " + r.type());
            }
        }
    }

    public Completion execute(ByteBuffer sqe, byte[] inCapsule, byte[] hostData) throws IOException {
        return execute(sqe.array(), inCapsule, hostData);
    }

    /** True when the target closed the connection (EOF or reset) within the socket timeout. */
    public boolean closedByTarget() {
        try {
            return in.read() < 0;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    // ---- whole operations, for tests that need data moved rather than PDUs checked ----

    /** CC.EN with IOSQES 6 (64 B) and IOCQES 4 (16 B), Base 2.0 Figure 41. */
    public static final int CC_ENABLE = 1 | 6 << 16 | 4 << 20;
    /** Controller Configuration property offset (Base 2.0 Figure 35). */
    public static final int PROPERTY_CC = 0x14;
    public static final int OPC_WRITE = 0x01;
    public static final int OPC_READ = 0x02;
    public static final int OPC_IDENTIFY = 0x06;
    /** Identify CNS values (Base 2.0 Figure 273). */
    public static final int CNS_NAMESPACE = 0x00;
    public static final int CNS_CONTROLLER = 0x01;
    public static final int CNS_NS_DESCRIPTORS = 0x03;
    public static final int IDENTIFY_SIZE = 4096;

    /** ICReq without digests, admin Connect (CNTLID FFFFh, dynamic model) and CC.EN; returns the CNTLID. */
    public int connectAdmin(String subnqn, int katoMillis) throws IOException {
        initialize(false, false);
        Completion c = execute(connectSqe(nextCid(), 0, 31, katoMillis), connectData(0xFFFF, subnqn, HOST_NQN), null);
        requireSuccess(c, "admin Connect to " + subnqn);
        requireSuccess(execute(propertySqe(nextCid(), false, 0, PROPERTY_CC, CC_ENABLE), null, null), "CC.EN");
        return (int) (c.result() & 0xFFFF);
    }

    /** ICReq without digests and an I/O queue Connect to an existing controller. */
    public void connectIo(String subnqn, int cntlid, int qid, int sqsize) throws IOException {
        initialize(false, false);
        requireSuccess(execute(connectSqe(nextCid(), qid, sqsize, 0), connectData(cntlid, subnqn, HOST_NQN), null),
                "I/O queue Connect");
    }

    /** Identify with the given CNS for a namespace (0 for controller-wide); returns the 4 KiB data structure. */
    public byte[] identify(int cns, long nsid) throws IOException {
        ByteBuffer s = transportSgl(sqe(OPC_IDENTIFY, nextCid(), nsid), IDENTIFY_SIZE);
        s.putInt(40, cns);
        Completion c = execute(s, null, null);
        requireSuccess(c, "Identify CNS " + cns);
        return c.data();
    }

    /** Reads {@code blocks} logical blocks (NLB is 0's based, Base 2.0 NVM Figure 37) with C2HData. */
    public byte[] read(long nsid, long lba, int blocks, int blockSize) throws IOException {
        ByteBuffer s = transportSgl(sqe(OPC_READ, nextCid(), nsid), blocks * blockSize);
        s.putLong(40, lba).putInt(48, blocks - 1);
        Completion c = execute(s, null, null);
        requireSuccess(c, "Read LBA " + lba);
        return c.data();
    }

    /** Writes whole blocks, the data solicited by R2T and sent in H2CData PDUs. */
    public void write(long nsid, long lba, byte[] data, int blockSize) throws IOException {
        ByteBuffer s = transportSgl(sqe(OPC_WRITE, nextCid(), nsid), data.length);
        s.putLong(40, lba).putInt(48, data.length / blockSize - 1);
        requireSuccess(execute(s, null, data), "Write LBA " + lba);
    }

    private static void requireSuccess(Completion c, String what) throws IOException {
        if (c.status() != 0) {
            throw new IOException(what + " failed with status 0x" + Integer.toHexString(c.status()));
        }
    }

    // ---- SQE builders (Base 2.0 Figure 88/90), little-endian ----

    public static ByteBuffer sqe(int opcode, int cid, long nsid) {
        ByteBuffer b = le(64);
        b.put(0, (byte) opcode).put(1, (byte) 0x40).putShort(2, (short) cid).putInt(4, (int) nsid); // PSDT 01b: SGL
        return b;
    }

    /** SGL1 as a transport SGL data block (5Ah) of {@code length} bytes. */
    public static ByteBuffer transportSgl(ByteBuffer sqe, int length) {
        sqe.putLong(24, 0).putInt(32, length).put(39, (byte) 0x5A);
        return sqe;
    }

    /** SGL1 as an SGL data block with offset 0 into the in-capsule data (01h). */
    public static ByteBuffer inCapsuleSgl(ByteBuffer sqe, int length) {
        sqe.putLong(24, 0).putInt(32, length).put(39, (byte) 0x01);
        return sqe;
    }

    public static byte[] connectSqe(int cid, int qid, int sqsize, int kato) {
        ByteBuffer b = le(64);
        b.put(0, (byte) 0x7F).put(1, (byte) 0x40).putShort(2, (short) cid).put(4, (byte) 0x01);
        inCapsuleSgl(b, 1024);
        b.putShort(40, (short) 0).putShort(42, (short) qid).putShort(44, (short) sqsize).putInt(48, kato);
        return b.array();
    }

    public static byte[] connectData(int cntlid, String subnqn, String hostnqn) {
        ByteBuffer b = le(1024);
        b.put(0, HOST_ID).putShort(16, (short) cntlid);
        b.put(256, subnqn.getBytes(StandardCharsets.UTF_8));
        b.put(512, hostnqn.getBytes(StandardCharsets.UTF_8));
        return b.array();
    }

    public static byte[] propertySqe(int cid, boolean get, int size8, int offset, long value) {
        ByteBuffer b = le(64);
        b.put(0, (byte) 0x7F).put(1, (byte) 0x40).putShort(2, (short) cid).put(4, (byte) (get ? 0x04 : 0x00));
        b.put(40, (byte) size8).putInt(44, offset).putLong(48, value);
        return b.array();
    }

    public static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    public static int crc(byte[] b, int from, int length) {
        CRC32C c = new CRC32C();
        c.update(b, from, length);
        return (int) c.getValue();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
