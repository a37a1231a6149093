package dev.ferry.bench.nvmeload;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** One NVMe/TCP connection, which is one NVMe queue (TCP 1.0 3.2): blocking, buffered, one thread at a time. */
final class QueueConnection implements AutoCloseable {
    private static final int BUFFER = 256 << 10;

    /** A received PDU: its header (CH + PSH, little-endian) and its data, if any. */
    record Pdu(int type, int flags, ByteBuffer header, byte[] data) {
        int cid() { return header.getShort(type == Wire.C2H_DATA ? Wire.C2H_CCCID : Wire.RESP_CID) & 0xFFFF; }
        /** CQE Status Field without the phase bit (Base 2.0 Figure 93). */
        int status() { return (header.getShort(Wire.RESP_STATUS) & 0xFFFF) >>> 1; }
        int dw0() { return header.getInt(Wire.RESP_DW0); }
        int dataOffset() { return header.getInt(Wire.C2H_DATAO); }
    }

    private final Socket socket = new Socket();
    private final DataInputStream in;
    private final OutputStream out;
    private final byte[] commonHeader = new byte[Wire.COMMON_HEADER];
    private int nextCid;

    QueueConnection(InetSocketAddress target) throws IOException {
        socket.setTcpNoDelay(true);
        socket.connect(target, 5000);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), BUFFER));
        out = new BufferedOutputStream(socket.getOutputStream(), BUFFER);
        send(Wire.icReq());
        flush();
        Pdu icResp = read();
        if (icResp.type() != Wire.IC_RESP) {
            throw new IOException("expected ICResp, got PDU type " + icResp.type());
        }
    }

    /** Admin queue: Connect to a new dynamic controller, enable it, wait for CSTS.RDY; returns the CNTLID. */
    int connectAdmin(String subnqn) throws IOException {
        int cntlid = call(Wire.connect(cid(), 0, 31, 0xFFFF, subnqn), "admin Connect").dw0() & 0xFFFF;
        call(Wire.property(cid(), false, Wire.PROPERTY_CC, Wire.CC_ENABLE), "CC.EN");
        for (int i = 0; (call(Wire.property(cid(), true, Wire.PROPERTY_CSTS, 0), "CSTS").dw0() & 1) == 0; i++) {
            if (i == 100) {
                throw new IOException("CSTS.RDY did not come up");
            }
        }
        return cntlid;
    }

    void connectIo(String subnqn, int cntlid, int qid, int sqsize) throws IOException {
        call(Wire.connect(cid(), qid, sqsize, cntlid, subnqn), "I/O queue " + qid + " Connect");
    }

    /** Identify Namespace: returns the logical block size of the formatted LBA format. */
    int blockSize(long nsid) throws IOException {
        send(Wire.identifyNamespace(cid(), nsid));
        flush();
        byte[] data = new byte[Wire.IDENTIFY_SIZE];
        for (Pdu p = read(); p.type() != Wire.CAPSULE_RESP; p = read()) {
            System.arraycopy(p.data(), 0, data, p.dataOffset(), p.data().length);
            if ((p.flags() & Wire.FLAG_SUCCESS) != 0) {
                break;
            }
        }
        // FLBAS (byte 26) bits 3:0 pick an LBA Format at 128 + 4n; LBADS (its byte 2) is log2 of the block size.
        int format = data[26] & 0xF;
        return 1 << data[128 + 4 * format + 2];
    }

    private Pdu call(byte[] capsule, String what) throws IOException {
        send(capsule);
        flush();
        Pdu p = read();
        if (p.type() != Wire.CAPSULE_RESP || p.status() != 0) {
            throw new IOException(what + " failed: PDU type " + p.type() + " status 0x"
                    + Integer.toHexString(p.type() == Wire.CAPSULE_RESP ? p.status() : -1));
        }
        return p;
    }

    private int cid() {
        return nextCid++ & 0xFFFF;
    }

    void send(byte[] pdu) throws IOException {
        out.write(pdu);
    }

    void flush() throws IOException {
        out.flush();
    }

    /** True when a whole PDU header may be waiting, so the caller can batch before flushing. */
    boolean readable() throws IOException {
        return in.available() > 0;
    }

    Pdu read() throws IOException {
        in.readFully(commonHeader);
        ByteBuffer ch = ByteBuffer.wrap(commonHeader).order(ByteOrder.LITTLE_ENDIAN);
        int hlen = ch.get(2) & 0xFF;
        int pdo = ch.get(3) & 0xFF;
        int plen = ch.getInt(4);
        ByteBuffer header = ByteBuffer.allocate(hlen).order(ByteOrder.LITTLE_ENDIAN).put(commonHeader);
        in.readFully(header.array(), Wire.COMMON_HEADER, hlen - Wire.COMMON_HEADER);
        int dataStart = pdo == 0 ? plen : pdo;
        in.skipNBytes(dataStart - hlen); // header digest or padding: none is negotiated, but PDO rules allow a gap
        byte[] data = new byte[plen - dataStart];
        in.readFully(data);
        return new Pdu(commonHeader[0] & 0xFF, commonHeader[1] & 0xFF, header, data);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
