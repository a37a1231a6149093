package dev.ferry.bench.nvmeload;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The few NVMe/TCP PDUs and NVMe commands the load generator needs, laid out as the NVMe/TCP 1.0 and NVMe Base 2.0
 * figures say. No digests, no R2T: writes carry their data in the capsule.
 */
final class Wire {
    /** PDU types (NVMe/TCP 1.0 Figure 6). */
    static final int IC_REQ = 0x00;
    static final int IC_RESP = 0x01;
    static final int CAPSULE_CMD = 0x04;
    static final int CAPSULE_RESP = 0x05;
    static final int C2H_DATA = 0x07;
    /** C2HData flags (Figure 29): LAST_PDU and SUCCESS (no CapsuleResp follows). */
    static final int FLAG_SUCCESS = 0x08;
    static final int COMMON_HEADER = 8;
    static final int IC_LENGTH = 128;
    static final int CAPSULE_CMD_HLEN = 72;
    static final int SQE_SIZE = 64;
    /** CQE offsets inside a CapsuleResp PDU (header 8 + CQE, Base 2.0 Figure 92). */
    static final int RESP_DW0 = 8;
    static final int RESP_CID = 8 + 12;
    static final int RESP_STATUS = 8 + 14;
    /** C2HData PSH (Figure 29): CCCID and DATAO. */
    static final int C2H_CCCID = 8;
    static final int C2H_DATAO = 12;

    /** Opcodes (Base 2.0 Figure 138, NVM 1.0 Figure 18, Fabrics Figure 535). */
    static final int OPC_WRITE = 0x01;
    static final int OPC_READ = 0x02;
    static final int OPC_IDENTIFY = 0x06;
    static final int OPC_FABRICS = 0x7F;
    static final int FCTYPE_PROPERTY_SET = 0x00;
    static final int FCTYPE_CONNECT = 0x01;
    static final int FCTYPE_PROPERTY_GET = 0x04;
    /** PSDT 01b: SGLs (Figure 88). */
    static final int PSDT_SGL = 0x40;
    /** SGL descriptor types (TCP 1.0 3.3.2): in-capsule data block with offset, transport data block. */
    static final int SGL_IN_CAPSULE = 0x01;
    static final int SGL_TRANSPORT = 0x5A;
    /** Properties (Base 2.0 Figure 35) and CC.EN with 64 B SQEs and 16 B CQEs. */
    static final int PROPERTY_CC = 0x14;
    static final int PROPERTY_CSTS = 0x1C;
    static final int CC_ENABLE = 1 | 6 << 16 | 4 << 20;
    static final int CONNECT_DATA = 1024;
    static final int CNS_NAMESPACE = 0x00;
    static final int IDENTIFY_SIZE = 4096;
    static final String HOST_NQN = "nqn.2014-08.org.nvmexpress:uuid:6e766d65-6c6f-6164-8000-62656e636800";
    static final byte[] HOST_ID = {0x6e, 0x76, 0x6d, 0x65, 0x6c, 0x6f, 0x61, 0x64, (byte) 0x80, 0, 0x62, 0x65, 0x6e,
            0x63, 0x68, 0};

    private Wire() {
    }

    static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** ICReq (Figure 19): PFV 0, HPDA 0, no digests, MAXR2T 0. */
    static byte[] icReq() {
        ByteBuffer b = le(IC_LENGTH);
        b.put(0, (byte) IC_REQ).put(2, (byte) IC_LENGTH).putInt(4, IC_LENGTH);
        return b.array();
    }

    /** A CapsuleCmd PDU (Figure 23) holding {@code sqe} and, after it, {@code data} (may be null). */
    static byte[] capsule(ByteBuffer sqe, byte[] data) {
        int length = data == null ? 0 : data.length;
        ByteBuffer b = le(CAPSULE_CMD_HLEN + length);
        b.put((byte) CAPSULE_CMD).put((byte) 0).put((byte) CAPSULE_CMD_HLEN)
                .put((byte) (length > 0 ? CAPSULE_CMD_HLEN : 0)).putInt(CAPSULE_CMD_HLEN + length);
        b.put(sqe.array(), 0, SQE_SIZE);
        if (length > 0) {
            b.put(data);
        }
        return b.array();
    }

    static ByteBuffer sqe(int opcode, int cid, long nsid) {
        ByteBuffer b = le(SQE_SIZE);
        b.put(0, (byte) opcode).put(1, (byte) PSDT_SGL).putShort(2, (short) cid).putInt(4, (int) nsid);
        return b;
    }

    /** SGL1 at bytes 24-39: address 0, length, descriptor type in byte 15. */
    static ByteBuffer sgl(ByteBuffer sqe, int type, int length) {
        return sqe.putLong(24, 0).putInt(32, length).put(39, (byte) type);
    }

    /** Read or Write of {@code blocks} LBAs (NLB 0's based, NVM 1.0 Figure 37). */
    static ByteBuffer readWrite(int opcode, int cid, long nsid, long lba, int blocks, int bytes) {
        ByteBuffer s = sgl(sqe(opcode, cid, nsid), opcode == OPC_WRITE ? SGL_IN_CAPSULE : SGL_TRANSPORT, bytes);
        return s.putLong(40, lba).putInt(48, blocks - 1);
    }

    /** Connect (Fabrics Figure 20/21) with its 1 KiB in-capsule data. */
    static byte[] connect(int cid, int qid, int sqsize, int cntlid, String subnqn) {
        ByteBuffer s = sgl(sqe(OPC_FABRICS, cid, 0), SGL_IN_CAPSULE, CONNECT_DATA);
        s.put(4, (byte) FCTYPE_CONNECT).putShort(42, (short) qid).putShort(44, (short) sqsize);
        ByteBuffer d = le(CONNECT_DATA);
        d.put(0, HOST_ID).putShort(16, (short) cntlid);
        d.put(256, subnqn.getBytes(StandardCharsets.UTF_8)).put(512, HOST_NQN.getBytes(StandardCharsets.UTF_8));
        return capsule(s, d.array());
    }

    /** Property Get/Set of a 4-byte property (Fabrics Figure 31/33). */
    static byte[] property(int cid, boolean get, int offset, int value) {
        ByteBuffer s = sqe(OPC_FABRICS, cid, 0);
        s.put(4, (byte) (get ? FCTYPE_PROPERTY_GET : FCTYPE_PROPERTY_SET)).putInt(44, offset).putInt(48, value);
        return capsule(s, null);
    }

    static byte[] identifyNamespace(int cid, long nsid) {
        ByteBuffer s = sgl(sqe(OPC_IDENTIFY, cid, nsid), SGL_TRANSPORT, IDENTIFY_SIZE);
        return capsule(s.putInt(40, CNS_NAMESPACE), null);
    }
}
