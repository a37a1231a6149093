package dev.ferry.frontend.iscsi;

import dev.ferry.frontend.iscsi.login.TextKeys;
import dev.ferry.core.buffer.Crc32c;
import dev.ferry.frontend.iscsi.pdu.DataInPdu;
import dev.ferry.frontend.iscsi.pdu.DataOutPdu;
import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.LoginPdu;
import dev.ferry.frontend.iscsi.pdu.LogoutPdu;
import dev.ferry.frontend.iscsi.pdu.Opcode;
import dev.ferry.frontend.iscsi.pdu.R2tPdu;
import dev.ferry.frontend.iscsi.pdu.ScsiCommandPdu;
import dev.ferry.frontend.iscsi.pdu.ScsiResponsePdu;
import dev.ferry.frontend.iscsi.pdu.TargetPdu;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A minimal iSCSI initiator over a plain socket, written from RFC 7143 independently of the target's codec. */
final class IscsiTestClient implements AutoCloseable {
    final Socket socket;
    final DataInputStream in;
    final OutputStream out;
    boolean headerDigest;
    boolean dataDigest;
    int cmdSn = 1;
    int expStatSn;
    int maxCmdSn;
    int nextItt = 0x100;
    int tsih;
    long isid = 0x400001230000L | 0x42;
    /** The target's declared MaxRecvDataSegmentLength. */
    int targetMrdsl = 8192;
    Map<String, String> negotiated = new LinkedHashMap<>();

    /** The outcome of a SCSI command. */
    record Result(int response, int status, byte[] data, byte[] sense, int residual, boolean underflow, boolean overflow) {
    }

    IscsiTestClient(InetSocketAddress a) throws IOException {
        socket = new Socket(a.getAddress(), a.getPort());
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void write(IscsiPdu p) throws IOException {
        out.write(encode(p));
        out.flush();
    }

    /** The PDU's bytes on the wire (with the digests in force); releases it. */
    byte[] encode(IscsiPdu p) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(p.bhs());
        if (p.ahs() != null) {
            b.writeBytes(p.ahs());
        }
        if (headerDigest) {
            b.writeBytes(le(Crc32c.of(p.bhs(), p.ahs())));
        }
        ByteBuf d = p.data();
        int len = d.readableBytes();
        if (len > 0) {
            byte[] data = new byte[len];
            d.getBytes(d.readerIndex(), data);
            b.writeBytes(data);
            b.write(new byte[IscsiPdu.padding(len)], 0, IscsiPdu.padding(len));
            if (dataDigest) {
                b.writeBytes(le(Crc32c.of(d, d.readerIndex(), len, IscsiPdu.padding(len))));
            }
        }
        p.release();
        return b.toByteArray();
    }

    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    IscsiPdu read() throws IOException {
        byte[] bhs = new byte[48];
        in.readFully(bhs);
        int ahsLen = (bhs[4] & 0xff) * 4;
        byte[] ahs = null;
        if (ahsLen > 0) {
            ahs = new byte[ahsLen];
            in.readFully(ahs);
        }
        if (headerDigest) {
            int got = Integer.reverseBytes(in.readInt());
            if (got != Crc32c.of(bhs, ahs)) {
                throw new IOException("bad header digest from target");
            }
        }
        int len = ((bhs[5] & 0xff) << 16) | ((bhs[6] & 0xff) << 8) | (bhs[7] & 0xff);
        byte[] data = new byte[len];
        in.readFully(data);
        in.readFully(new byte[IscsiPdu.padding(len)]);
        if (len > 0 && dataDigest) {
            int got = Integer.reverseBytes(in.readInt());
            if (got != Crc32c.of(Unpooled.wrappedBuffer(data), 0, len, IscsiPdu.padding(len))) {
                throw new IOException("bad data digest from target");
            }
        }
        IscsiPdu p = new IscsiPdu(bhs, ahs, Unpooled.wrappedBuffer(data));
        int op = p.opcode();
        if (op != Opcode.SCSI_DATA_IN || new DataInPdu(p).hasStatus()) {
            if (op != Opcode.R2T && !(op == Opcode.NOP_IN && p.itt() == IscsiPdu.RESERVED_TAG)) {
                expStatSn = TargetPdu.statSn(p) + 1;
            }
        }
        if (op != Opcode.LOGIN_RESPONSE || LoginPdu.status(p) == 0) {
            maxCmdSn = TargetPdu.maxCmdSn(p);
        }
        return p;
    }

    static Map<String, String> keys(IscsiPdu p) {
        byte[] b = new byte[p.data().readableBytes()];
        p.data().getBytes(p.data().readerIndex(), b);
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : TextKeys.parse(b)) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    static ByteBuf text(Map<String, String> keys) {
        return TextKeys.encodeBuf(new ArrayList<>(keys.entrySet()));
    }

    /** One Login Request; returns the response. */
    IscsiPdu loginStep(int flags, Map<String, String> keys) throws IOException {
        IscsiPdu p = LoginPdu.request(flags, isid, tsih, 1, 0, cmdSn, expStatSn);
        p.put8(LoginPdu.OFFSET_VERSION_MAX, 0).put8(LoginPdu.OFFSET_VERSION_MIN, 0);
        p.data(text(keys));
        write(p);
        return read();
    }

    /** Security stage with AuthMethod=None, then operational negotiation to full feature phase. */
    Map<String, String> login(String initiator, String target, Map<String, String> operational) throws IOException {
        Map<String, String> sec = new LinkedHashMap<>();
        sec.put("InitiatorName", initiator);
        if (target == null) {
            sec.put("SessionType", "Discovery");
        } else {
            sec.put("SessionType", "Normal");
            sec.put("TargetName", target);
        }
        sec.put("AuthMethod", "None");
        IscsiPdu r = loginStep(LoginPdu.stageFlags(true, false, 0, 1), sec);
        int status = LoginPdu.status(r);
        Map<String, String> all = new LinkedHashMap<>(keys(r));
        r.release();
        if (status != 0) {
            throw new LoginFailed(status);
        }
        r = loginStep(LoginPdu.stageFlags(true, false, 1, 3), operational);
        status = LoginPdu.status(r);
        if (status != 0) {
            throw new LoginFailed(status);
        }
        all.putAll(keys(r));
        tsih = LoginPdu.tsih(r);
        r.release();
        negotiated = all;
        headerDigest = "CRC32C".equals(all.get("HeaderDigest"));
        dataDigest = "CRC32C".equals(all.get("DataDigest"));
        if (all.containsKey("MaxRecvDataSegmentLength")) {
            targetMrdsl = Integer.parseInt(all.get("MaxRecvDataSegmentLength"));
        }
        return all;
    }

    static final class LoginFailed extends IOException {
        final int status;

        LoginFailed(int status) {
            super(String.format("login status 0x%04x", status));
            this.status = status;
        }
    }

    static Map<String, String> defaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("HeaderDigest", "None");
        m.put("DataDigest", "None");
        m.put("MaxRecvDataSegmentLength", "65536");
        m.put("InitialR2T", "No");
        m.put("ImmediateData", "Yes");
        m.put("MaxBurstLength", "262144");
        m.put("FirstBurstLength", "65536");
        m.put("MaxOutstandingR2T", "1");
        m.put("ErrorRecoveryLevel", "0");
        return m;
    }

    int itt() {
        return nextItt++;
    }

    /** Sends a SCSI command; for writes, immediate data up to FirstBurstLength, the rest on R2T. */
    Result command(long lun, byte[] cdb, int edtl, boolean read, byte[] writeData) throws IOException {
        int itt = itt();
        boolean write = writeData != null;
        ScsiCommandPdu c = ScsiCommandPdu.create().itt(itt).lun(lun).expectedDataTransferLength(edtl)
                .cmdSn(cmdSn++).expStatSn(expStatSn).cdb(cdb);
        int immediate = 0;
        if (write && "Yes".equals(negotiated.getOrDefault("ImmediateData", "Yes"))) {
            int fb = Integer.parseInt(negotiated.getOrDefault("FirstBurstLength", "65536"));
            immediate = Math.min(Math.min(fb, targetMrdsl), writeData.length);
            c.pdu().data(Unpooled.wrappedBuffer(writeData, 0, immediate));
        }
        c.flags(true, read, write, 1);
        write(c.pdu());
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while (true) {
            IscsiPdu p = read();
            try {
                switch (p.opcode()) {
                    case Opcode.R2T -> {
                        R2tPdu r = new R2tPdu(p);
                        int off = r.bufferOffset();
                        int end = off + r.desiredLength();
                        int sn = 0;
                        while (off < end) {
                            int n = Math.min(targetMrdsl, end - off);
                            DataOutPdu d = DataOutPdu.create().itt(itt).lun(lun).ttt(r.ttt()).dataSn(sn++)
                                    .bufferOffset(off).expStatSn(expStatSn).finalBit(off + n == end);
                            d.pdu().data(Unpooled.wrappedBuffer(writeData, off, n));
                            write(d.pdu());
                            off += n;
                        }
                    }
                    case Opcode.SCSI_DATA_IN -> {
                        DataInPdu d = new DataInPdu(p);
                        if (d.bufferOffset() != data.size()) {
                            throw new IOException("Data-In offset " + d.bufferOffset() + ", expected " + data.size());
                        }
                        byte[] b = new byte[p.data().readableBytes()];
                        p.data().getBytes(0, b);
                        data.writeBytes(b);
                        if (d.hasStatus()) {
                            int f = p.flags();
                            return new Result(0, d.status(), data.toByteArray(), null, d.residualCount(),
                                    (f & DataInPdu.FLAG_UNDERFLOW) != 0, (f & DataInPdu.FLAG_OVERFLOW) != 0);
                        }
                    }
                    case Opcode.SCSI_RESPONSE -> {
                        ScsiResponsePdu s = new ScsiResponsePdu(p);
                        byte[] sense = null;
                        if (p.data().readableBytes() >= 2) {
                            int sl = p.data().getUnsignedShort(0);
                            sense = new byte[sl];
                            p.data().getBytes(2, sense);
                        }
                        return new Result(s.response(), s.status(), data.toByteArray(), sense, s.residualCount(),
                                s.underflow(), s.overflow());
                    }
                    case Opcode.NOP_IN -> {
                        // ignore target pings in this simple client
                    }
                    default -> throw new IOException("unexpected " + p);
                }
            } finally {
                p.release();
            }
        }
    }

    static byte[] read10(long lba, int blocks) {
        return ByteBuffer.allocate(16).put((byte) 0x28).put((byte) 0).putInt((int) lba).put((byte) 0)
                .putShort((short) blocks).array();
    }

    static byte[] write10(long lba, int blocks) {
        return ByteBuffer.allocate(16).put((byte) 0x2a).put((byte) 0).putInt((int) lba).put((byte) 0)
                .putShort((short) blocks).array();
    }

    void logout() throws IOException {
        write(LogoutPdu.request(LogoutPdu.CLOSE_SESSION, itt(), 0, cmdSn, expStatSn));
        IscsiPdu r = read();
        try {
            if (r.opcode() != Opcode.LOGOUT_RESPONSE || LogoutPdu.response(r) != 0) {
                throw new IOException("logout failed: " + r);
            }
        } finally {
            r.release();
        }
    }

    /** True once the target closed the connection. */
    boolean closedByTarget() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    private static byte[] le(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static List<String> all(Map<String, String> m, String key) {
        return m.containsKey(key) ? List.of(m.get(key)) : List.of();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
