package dev.ferry.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small iSCSI initiator on a plain socket, written from RFC 7143 and independent of Ferry's codec: one normal
 * session of one connection, no digests, no authentication. Several commands may be in flight ({@link #start} then
 * {@link #await}); R2Ts are answered and target NOP-In pings echoed while waiting. Not thread-safe.
 */
final class IscsiInitiator implements AutoCloseable {
    static final String NAME = "iqn.2026-12.dev.ferry:faulty-it";

    // RFC 7143 11.2.1.2: opcodes
    private static final int OP_NOP_OUT = 0x00;
    private static final int OP_SCSI_COMMAND = 0x01;
    private static final int OP_LOGIN_REQUEST = 0x03;
    private static final int OP_DATA_OUT = 0x05;
    private static final int OP_LOGOUT_REQUEST = 0x06;
    private static final int OP_NOP_IN = 0x20;
    private static final int OP_SCSI_RESPONSE = 0x21;
    private static final int OP_LOGIN_RESPONSE = 0x23;
    private static final int OP_DATA_IN = 0x25;
    private static final int OP_LOGOUT_RESPONSE = 0x26;
    private static final int OP_R2T = 0x31;
    private static final int IMMEDIATE = 0x40;
    private static final int FINAL = 0x80;
    private static final int BHS = 48;
    private static final int RESERVED_TAG = 0xFFFFFFFF;
    /** RFC 7143 11.4.1: SCSI Command flags. */
    private static final int FLAG_READ = 0x40;
    private static final int FLAG_WRITE = 0x20;
    private static final int ATTR_SIMPLE = 1;
    /** RFC 7143 11.7.1: S bit of a Data-In that carries the status. */
    private static final int FLAG_STATUS = 0x01;
    private static final int MAX_SEGMENT = 65536;
    private static final int FIRST_BURST = 65536;

    /** The outcome of one SCSI command: SAM status, Data-In bytes and sense data (null without any). */
    record Result(int status, byte[] data, byte[] sense) {
        static final int GOOD = 0x00;
        static final int CHECK_CONDITION = 0x02;

        int senseKey() { return sense[2] & 0x0F; }
        int asc() { return sense[12] & 0xFF; }
        int ascq() { return sense[13] & 0xFF; }
        boolean informationValid() { return (sense[0] & 0x80) != 0; }
        long information() { return ByteBuffer.wrap(sense, 3, 4).getInt() & 0xFFFFFFFFL; }
    }

    private static final class Pending {
        final long lun;
        final byte[] writeData;
        final ByteArrayOutputStream in = new ByteArrayOutputStream();
        Result result;

        Pending(long lun, byte[] writeData) {
            this.lun = lun;
            this.writeData = writeData;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Map<Integer, Pending> pending = new HashMap<>();
    private int cmdSn = 1;
    private int expStatSn;
    private int nextItt = 1;

    /** Connects and logs in to {@code target} (normal session). */
    IscsiInitiator(InetSocketAddress portal, String target) throws IOException {
        socket = new Socket();
        try {
            socket.connect(portal, 10_000);
            socket.setSoTimeout(60_000); // a safety net: a test's own deadline ends it first
            socket.setTcpNoDelay(true);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
            login(target);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void login(String target) throws IOException {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("InitiatorName", NAME);
        keys.put("SessionType", "Normal");
        keys.put("TargetName", target);
        keys.put("HeaderDigest", "None");
        keys.put("DataDigest", "None");
        keys.put("MaxRecvDataSegmentLength", Integer.toString(MAX_SEGMENT));
        keys.put("InitialR2T", "Yes");
        keys.put("ImmediateData", "Yes");
        keys.put("FirstBurstLength", Integer.toString(FIRST_BURST));
        keys.put("MaxBurstLength", "262144");
        keys.put("ErrorRecoveryLevel", "0");
        // RFC 7143 11.12: skip the security stage (CSG 1, operational) straight to full feature phase (NSG 3)
        ByteBuffer b = ByteBuffer.allocate(BHS);
        b.put(0, (byte) (OP_LOGIN_REQUEST | IMMEDIATE)).put(1, (byte) (FINAL | 1 << 2 | 3));
        b.putLong(8, 0x80_0000_4242_0000L); // ISID: random format (T=10b), TSIH 0
        b.putInt(16, nextItt++).putInt(24, cmdSn).putInt(28, expStatSn);
        send(b, text(keys));
        Pdu r = read();
        int status = r.bhs.getShort(36) & 0xFFFF;
        if (r.opcode() != OP_LOGIN_RESPONSE || status != 0 || (r.bhs.get(1) & FINAL) == 0) {
            throw new IOException(String.format("login to %s failed: opcode 0x%02x status 0x%04x", target,
                    r.opcode(), status));
        }
        expStatSn = r.bhs.getInt(24) + 1;
    }

    private static byte[] text(Map<String, String> keys) {
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        keys.forEach((k, v) -> {
            t.writeBytes((k + "=" + v).getBytes(StandardCharsets.US_ASCII));
            t.write(0);
        });
        return t.toByteArray();
    }

    /** Sends a command and returns its ITT; data to write goes immediately up to the first burst, the rest on R2T. */
    int start(long lun, byte[] cdb, int expectedLength, byte[] writeData) throws IOException {
        int itt = nextItt++;
        boolean write = writeData != null;
        ByteBuffer b = ByteBuffer.allocate(BHS);
        b.put(0, (byte) OP_SCSI_COMMAND)
                .put(1, (byte) (FINAL | (write ? FLAG_WRITE : expectedLength > 0 ? FLAG_READ : 0) | ATTR_SIMPLE));
        b.putLong(8, lunField(lun)).putInt(16, itt).putInt(20, expectedLength).putInt(24, cmdSn++)
                .putInt(28, expStatSn).put(32, cdb);
        pending.put(itt, new Pending(lun, writeData));
        byte[] immediate = write ? java.util.Arrays.copyOf(writeData, Math.min(FIRST_BURST, writeData.length)) : null;
        send(b, immediate);
        return itt;
    }

    /** Processes PDUs of every command until {@code itt} completed, and returns its result. */
    Result await(int itt) throws IOException {
        Pending p = pending.get(itt);
        if (p == null) {
            throw new IllegalArgumentException("no command with ITT " + itt);
        }
        while (p.result == null) {
            handle(read());
        }
        pending.remove(itt);
        return p.result;
    }

    Result command(long lun, byte[] cdb, int expectedLength, byte[] writeData) throws IOException {
        return await(start(lun, cdb, expectedLength, writeData));
    }

    private void handle(Pdu r) throws IOException {
        int itt = r.bhs.getInt(16);
        switch (r.opcode()) {
            case OP_NOP_IN -> {
                int ttt = r.bhs.getInt(20);
                if (ttt != RESERVED_TAG) { // a target ping wants a NOP-Out echo (RFC 7143 11.18)
                    ByteBuffer b = ByteBuffer.allocate(BHS);
                    b.put(0, (byte) (OP_NOP_OUT | IMMEDIATE)).put(1, (byte) FINAL).putLong(8, r.bhs.getLong(8))
                            .putInt(16, RESERVED_TAG).putInt(20, ttt).putInt(24, cmdSn).putInt(28, expStatSn);
                    send(b, null);
                }
            }
            case OP_R2T -> {
                Pending p = of(itt);
                int ttt = r.bhs.getInt(20);
                int offset = r.bhs.getInt(40);
                int end = offset + r.bhs.getInt(44);
                for (int dataSn = 0; offset < end; dataSn++) {
                    int n = Math.min(MAX_SEGMENT, end - offset);
                    ByteBuffer b = ByteBuffer.allocate(BHS);
                    b.put(0, (byte) OP_DATA_OUT).put(1, (byte) (offset + n == end ? FINAL : 0))
                            .putLong(8, lunField(p.lun)).putInt(16, itt).putInt(20, ttt).putInt(28, expStatSn)
                            .putInt(36, dataSn).putInt(40, offset);
                    send(b, java.util.Arrays.copyOfRange(p.writeData, offset, offset + n));
                    offset += n;
                }
            }
            case OP_DATA_IN -> {
                Pending p = of(itt);
                p.in.writeBytes(r.data);
                if ((r.bhs.get(1) & FLAG_STATUS) != 0) {
                    expStatSn = r.bhs.getInt(24) + 1;
                    p.result = new Result(r.bhs.get(3) & 0xFF, p.in.toByteArray(), null);
                }
            }
            case OP_SCSI_RESPONSE -> {
                Pending p = of(itt);
                expStatSn = r.bhs.getInt(24) + 1;
                if (r.bhs.get(2) != 0) {
                    throw new IOException("iSCSI response 0x" + Integer.toHexString(r.bhs.get(2) & 0xFF));
                }
                byte[] sense = null;
                if (r.data.length >= 2) { // RFC 7143 11.4.7.2: SenseLength, then the sense data
                    int length = ByteBuffer.wrap(r.data).getShort() & 0xFFFF;
                    sense = java.util.Arrays.copyOfRange(r.data, 2, 2 + length);
                }
                p.result = new Result(r.bhs.get(3) & 0xFF, p.in.toByteArray(), sense);
            }
            default -> throw new IOException(String.format("unexpected opcode 0x%02x", r.opcode()));
        }
    }

    private Pending of(int itt) throws IOException {
        Pending p = pending.get(itt);
        if (p == null) {
            throw new IOException("PDU for unknown ITT " + itt);
        }
        return p;
    }

    /** Logs out (closing the session) and closes the socket. */
    void logout() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(BHS);
        b.put(0, (byte) (OP_LOGOUT_REQUEST | IMMEDIATE)).put(1, (byte) FINAL) // reason 0: close the session
                .putInt(16, nextItt++).putInt(24, cmdSn).putInt(28, expStatSn);
        send(b, null);
        Pdu r;
        do {
            r = read();
        } while (r.opcode() != OP_LOGOUT_RESPONSE);
        close();
    }

    /** SAM-5 4.6.4: single-level LUN, peripheral device addressing (bus 0) below 256, flat space above. */
    private static long lunField(long lun) {
        long level = lun < 256 ? lun : 0x4000 | lun;
        return level << 48;
    }

    private record Pdu(ByteBuffer bhs, byte[] data) {
        int opcode() { return bhs.get(0) & 0x3F; }
    }

    private void send(ByteBuffer bhs, byte[] data) throws IOException {
        int length = data == null ? 0 : data.length;
        bhs.putInt(4, length); // TotalAHSLength 0 in byte 4, DataSegmentLength in bytes 5-7
        ByteArrayOutputStream pdu = new ByteArrayOutputStream(BHS + length + 3);
        pdu.writeBytes(bhs.array());
        if (length > 0) {
            pdu.writeBytes(data);
            pdu.write(new byte[padding(length)], 0, padding(length));
        }
        out.write(pdu.toByteArray());
        out.flush();
    }

    private Pdu read() throws IOException {
        byte[] bhs = new byte[BHS];
        in.readFully(bhs);
        ByteBuffer b = ByteBuffer.wrap(bhs);
        in.skipNBytes((b.get(4) & 0xFF) * 4L); // AHS
        int length = b.getInt(4) & 0xFFFFFF;
        byte[] data = new byte[length];
        in.readFully(data);
        in.skipNBytes(padding(length));
        return new Pdu(b, data);
    }

    private static int padding(int length) {
        return -length & 3;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
