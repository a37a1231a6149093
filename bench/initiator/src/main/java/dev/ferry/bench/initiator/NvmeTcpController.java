package dev.ferry.bench.initiator;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * An NVMe/TCP host (NVMe/TCP 1.0, no digests) of one controller: its admin queue (Connect, CC.EN, CSTS.RDY,
 * Identify Namespace for the block size) and one I/O queue of Read / Write one at a time, write data in the capsule
 * when IOCCSZ allows and on R2T otherwise. KATO 0: the controller lives as long as its queues.
 */
final class NvmeTcpController implements BlockDevice {
    static final String HOST_NQN = "nqn.2014-08.org.nvmexpress:uuid:7e3c1a52-6f0b-4c1e-9a57-000000000001";
    private static final byte[] HOST_ID = {0x7e, 0x3c, 0x1a, 0x52, 0x6f, 0x0b, 0x4c, 0x1e, (byte) 0x9a, 0x57, 1, 2,
            3, 4, 5, 6};
    // NVMe/TCP 1.0 Figure 15: PDU types; Figures 25/29: LAST_PDU, SUCCESS
    private static final int IC_REQ = 0x00;
    private static final int CAPSULE_CMD = 0x04;
    private static final int CAPSULE_RESP = 0x05;
    private static final int H2C_DATA = 0x06;
    private static final int C2H_DATA = 0x07;
    private static final int R2T = 0x09;
    private static final int FLAG_LAST_PDU = 0x04;
    private static final int FLAG_SUCCESS = 0x08;
    private static final int IC_LENGTH = 128;
    private static final int CAPSULE = 8 + 64;
    private static final int H2C_HEADER = 24;
    /** NVMe over Fabrics 1.1: Fabrics opcode, Connect / Property Set / Property Get, 1 KiB Connect data. */
    private static final int OPC_FABRICS = 0x7F;
    private static final int FCTYPE_PROPERTY_SET = 0x00;
    private static final int FCTYPE_CONNECT = 0x01;
    private static final int FCTYPE_PROPERTY_GET = 0x04;
    private static final int CONNECT_DATA = 1024;
    /** Base 2.0 Figure 35/41/42: CC (EN, IOSQES 64 B, IOCQES 16 B) and CSTS.RDY. */
    private static final int PROPERTY_CC = 0x14;
    private static final int PROPERTY_CSTS = 0x1C;
    private static final int CC_ENABLE = 1 | 6 << 16 | 4 << 20;
    private static final int OPC_IDENTIFY = 0x06;
    private static final int IDENTIFY_SIZE = 4096;
    /** Identify Controller IOCCSZ (bytes 1792-1795, 16-byte units); Identify Namespace FLBAS, LBAF table. */
    private static final int IOCCSZ = 1792;
    private static final int CNS_NAMESPACE = 0;
    private static final int CNS_CONTROLLER = 1;
    private static final int OPC_WRITE = 0x01;
    private static final int OPC_READ = 0x02;
    /** Base 2.0 Figure 119: SGL Data Block, in capsule (01h) or transport (5Ah). */
    private static final int SGL_IN_CAPSULE = 0x01;
    private static final int SGL_TRANSPORT = 0x5A;
    private static final int MAX_SEND = 1 << 20;
    private static final int SQSIZE = 31;

    private final Channel admin;
    private final Channel io;
    private final long nsid;
    private final ByteBuffer identify = ByteBuffer.allocateDirect(IDENTIFY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final int blockSize;
    private final int inCapsule;
    private int maxH2cData;
    private int cid;

    NvmeTcpController(InetSocketAddress target, String subnqn, long nsid) throws IOException {
        this.nsid = nsid;
        admin = new Channel(target, ByteOrder.LITTLE_ENDIAN, CAPSULE + MAX_SEND);
        Channel queue = null;
        try {
            initialize(admin);
            int cntlid = (int) connect(admin, 0, 0xFFFF, subnqn) & 0xFFFF;
            property(FCTYPE_PROPERTY_SET, PROPERTY_CC, CC_ENABLE);
            for (int i = 0; (property(FCTYPE_PROPERTY_GET, PROPERTY_CSTS, 0) & 1) == 0; i++) {
                if (i == 1000) {
                    throw new IOException("CSTS.RDY did not come up");
                }
            }
            identify(CNS_CONTROLLER, 0);
            inCapsule = identify.getInt(IOCCSZ) * 16 - 64;
            identify(CNS_NAMESPACE, nsid);
            int format = identify.get(26) & 0xF; // FLBAS picks an LBA format at 128 + 4n; LBADS is its byte 2
            blockSize = 1 << identify.get(128 + 4 * format + 2);
            queue = new Channel(target, ByteOrder.LITTLE_ENDIAN, CAPSULE + MAX_SEND);
            initialize(queue);
            connect(queue, 1, cntlid, subnqn);
        } catch (IOException | RuntimeException e) {
            admin.close();
            if (queue != null) {
                queue.close();
            }
            throw e;
        }
        io = queue;
    }

    /** ICReq (Figure 19: PFV 0, HPDA 0, no digests, MAXR2T 0's based); ICResp (Figure 20) gives MAXH2CDATA. */
    private void initialize(Channel c) throws IOException {
        c.clear(IC_LENGTH);
        c.tx.put(0, (byte) IC_REQ).put(2, (byte) IC_LENGTH).putInt(4, IC_LENGTH).putInt(12, 3);
        c.send(IC_LENGTH);
        int at = readPdu(c);
        maxH2cData = c.rx.getInt(at + 12);
        c.rx.position(at + c.rx.getInt(at + 4));
    }

    private long connect(Channel c, int qid, int cntlid, String subnqn) throws IOException {
        sqe(c, OPC_FABRICS, CONNECT_DATA);
        c.tx.put(8 + 4, (byte) FCTYPE_CONNECT).putInt(8 + 32, CONNECT_DATA).put(8 + 39, (byte) SGL_IN_CAPSULE);
        c.tx.putShort(8 + 42, (short) qid).putShort(8 + 44, (short) SQSIZE).putInt(8 + 48, 0); // KATO 0
        c.clear(CAPSULE, CONNECT_DATA);
        c.tx.put(CAPSULE, HOST_ID).putShort(CAPSULE + 16, (short) cntlid);
        c.tx.put(CAPSULE + 256, subnqn.getBytes(StandardCharsets.UTF_8));
        c.tx.put(CAPSULE + 512, HOST_NQN.getBytes(StandardCharsets.UTF_8));
        c.send(CAPSULE + CONNECT_DATA);
        return complete(c, null, "Connect of queue " + qid);
    }

    private long property(int fctype, int offset, long value) throws IOException {
        sqe(admin, OPC_FABRICS, 0);
        admin.tx.put(8 + 4, (byte) fctype).putInt(8 + 44, offset).putLong(8 + 48, value);
        admin.send(CAPSULE);
        return complete(admin, null, "Property " + (fctype == FCTYPE_PROPERTY_GET ? "Get" : "Set"));
    }

    private void identify(int cns, long id) throws IOException {
        sqe(admin, OPC_IDENTIFY, 0);
        admin.tx.putInt(8 + 4, (int) id).putInt(8 + 32, IDENTIFY_SIZE).put(8 + 39, (byte) SGL_TRANSPORT)
                .putInt(8 + 40, cns);
        admin.send(CAPSULE);
        complete(admin, identify, "Identify CNS " + cns);
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public void read(long lba, ByteBuffer into) throws IOException {
        rw(OPC_READ, lba, into, 0);
    }

    @Override
    public void write(long lba, ByteBuffer from) throws IOException {
        rw(OPC_WRITE, lba, from, from.limit() <= inCapsule ? from.limit() : 0);
    }

    private void rw(int opcode, long lba, ByteBuffer data, int inCapsuleBytes) throws IOException {
        sqe(io, opcode, inCapsuleBytes);
        io.tx.putInt(8 + 4, (int) nsid).putInt(8 + 32, data.limit())
                .put(8 + 39, (byte) (inCapsuleBytes > 0 ? SGL_IN_CAPSULE : SGL_TRANSPORT));
        io.tx.putLong(8 + 40, lba).putInt(8 + 48, data.limit() / blockSize - 1); // SLBA; NLB, 0's based
        io.tx.put(CAPSULE, data, 0, inCapsuleBytes);
        io.send(CAPSULE + inCapsuleBytes);
        complete(io, data, opcode == OPC_READ ? "Read" : "Write");
    }

    /** CapsuleCmd header (Figure 23) and SQE CDW0 (opcode, PSDT 01b = SGL, CID); the rest of the SQE zeroed. */
    private void sqe(Channel c, int opcode, int dataLength) {
        c.clear(CAPSULE);
        c.tx.put(0, (byte) CAPSULE_CMD).put(2, (byte) CAPSULE).put(3, (byte) (dataLength > 0 ? CAPSULE : 0))
                .putInt(4, CAPSULE + dataLength);
        c.tx.put(8, (byte) opcode).put(9, (byte) 0x40).putShort(10, (short) (cid++ & 0xFFFF));
    }

    /** Reads PDUs until the command completes: C2HData into {@code data}, R2T answered; returns CQE DW0. */
    private long complete(Channel c, ByteBuffer data, String what) throws IOException {
        while (true) {
            int at = readPdu(c);
            int end = at + c.rx.getInt(at + 4);
            switch (c.rx.get(at)) {
                case C2H_DATA -> {
                    data.put(c.rx.getInt(at + 12), c.rx, at + (c.rx.get(at + 3) & 0xFF), c.rx.getInt(at + 16));
                    c.rx.position(end);
                    if ((c.rx.get(at + 1) & FLAG_SUCCESS) != 0) {
                        return 0;
                    }
                }
                case CAPSULE_RESP -> {
                    int status = (c.rx.getShort(at + 8 + 14) & 0xFFFF) >>> 1;
                    long dw0 = c.rx.getInt(at + 8) & 0xFFFFFFFFL;
                    c.rx.position(end);
                    if (status != 0) {
                        throw new IOException(what + " failed with status 0x" + Integer.toHexString(status));
                    }
                    return dw0;
                }
                case R2T -> {
                    int ttag = c.rx.getShort(at + 10) & 0xFFFF;
                    int offset = c.rx.getInt(at + 12);
                    int length = c.rx.getInt(at + 16);
                    int tag = c.rx.getShort(at + 8) & 0xFFFF;
                    c.rx.position(end);
                    h2cData(c, data, tag, ttag, offset, length);
                }
                default -> throw new IOException(what + ": unexpected PDU type " + c.rx.get(at));
            }
        }
    }

    /** H2CData (Figure 25) for an R2T, at most MAXH2CDATA bytes each, the last flagged LAST_PDU. */
    private void h2cData(Channel c, ByteBuffer data, int tag, int ttag, int offset, int length) throws IOException {
        int end = offset + length;
        while (offset < end) {
            int n = Math.min(maxH2cData, end - offset);
            c.clear(H2C_HEADER);
            c.tx.put(0, (byte) H2C_DATA).put(1, (byte) (offset + n == end ? FLAG_LAST_PDU : 0))
                    .put(2, (byte) H2C_HEADER).put(3, (byte) H2C_HEADER).putInt(4, H2C_HEADER + n);
            c.tx.putShort(8, (short) tag).putShort(10, (short) ttag).putInt(12, offset).putInt(16, n);
            c.tx.put(H2C_HEADER, data, offset, n);
            c.send(H2C_HEADER + n);
            offset += n;
        }
    }

    private static int readPdu(Channel c) throws IOException {
        c.need(8);
        c.need(c.rx.getInt(c.rx.position() + 4)); // PLEN: the whole PDU
        return c.rx.position();
    }

    @Override
    public void close() throws IOException {
        try (admin; io) {
            // closing the admin queue's connection deletes the controller (NVMe/TCP 1.0 3.2)
        }
    }
}
