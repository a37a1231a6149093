package dev.ferry.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A lean iSCSI initiator for steady-state load (RFC 7143, written independently of Ferry's codec): one session of
 * one connection, no digests, READ (16) / WRITE (16) of one fixed I/O size under ITT = tag, write data immediate
 * when the login allows it and on R2T otherwise, target NOP-In pings echoed. Reuses its buffers: nothing is
 * allocated per command once logged in.
 */
final class LeanIscsiQueue implements PipelinedQueue {
    static final String INITIATOR = "iqn.2026-12.dev.ferry:lean-queue";

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
    /** RFC 7143 11.4.1: SCSI Command flags R and W, task attribute Simple. */
    private static final int FLAG_READ = 0x40;
    private static final int FLAG_WRITE = 0x20;
    private static final int ATTR_SIMPLE = 1;
    /** SAM-5 5.3: GOOD. */
    private static final int STATUS_GOOD = 0;
    /** RFC 7143 11.7.1: S bit of a Data-In that carries the status. */
    private static final int FLAG_STATUS = 0x01;
    /** SBC-4 5.16 / 5.42: READ (16), WRITE (16). */
    private static final int READ_16 = 0x88;
    private static final int WRITE_16 = 0x8A;
    private static final int OUR_MAX_RECV_SEGMENT = 65536;
    private static final int RECEIVE_BUFFER = 256 << 10;

    private final SocketChannel channel;
    private final ByteBuffer rx = ByteBuffer.allocateDirect(RECEIVE_BUFFER).flip();
    private final ByteBuffer tx;
    private final ByteBuffer[] buffers;
    private final int ioBytes;
    private final int blocksPerIo;
    private final long lunField;
    private boolean immediateData;
    private int targetMaxRecvSegment;
    private int cmdSn = 1;
    private int maxCmdSn;
    private int expStatSn;

    /** Connects and logs in (normal session) to {@code target}; LUN {@code lun} has {@code blockSize} blocks. */
    LeanIscsiQueue(InetSocketAddress portal, String target, long lun, int blockSize, int ioBytes, int depth)
            throws IOException {
        this.ioBytes = ioBytes;
        this.blocksPerIo = ioBytes / blockSize;
        this.lunField = lun << 48; // SAM-5 4.6.4: single level, peripheral device addressing, LUN < 256
        this.tx = ByteBuffer.allocateDirect(BHS + Math.max(ioBytes, 8192));
        this.buffers = new ByteBuffer[depth];
        for (int t = 0; t < depth; t++) {
            buffers[t] = ByteBuffer.allocateDirect(ioBytes);
        }
        channel = SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(portal);
            login(target);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (maxCmdSn - cmdSn + 1 < depth) {
            throw new IOException("the target's CmdSN window (" + (maxCmdSn - cmdSn + 1) + ") is below depth " + depth);
        }
    }

    private void login(String target) throws IOException {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("InitiatorName", INITIATOR);
        keys.put("SessionType", "Normal");
        keys.put("TargetName", target);
        keys.put("HeaderDigest", "None");
        keys.put("DataDigest", "None");
        keys.put("MaxRecvDataSegmentLength", Integer.toString(OUR_MAX_RECV_SEGMENT));
        keys.put("InitialR2T", "Yes");
        keys.put("ImmediateData", "Yes");
        keys.put("FirstBurstLength", "65536");
        keys.put("MaxBurstLength", "262144");
        keys.put("ErrorRecoveryLevel", "0");
        StringBuilder text = new StringBuilder();
        keys.forEach((k, v) -> text.append(k).append('=').append(v).append('\0'));
        byte[] data = text.toString().getBytes(StandardCharsets.US_ASCII);
        // RFC 7143 11.12: CSG 1 (operational) straight to NSG 3 (full feature phase), transit
        clearHeader();
        tx.put(0, (byte) (OP_LOGIN_REQUEST | IMMEDIATE)).put(1, (byte) (FINAL | 1 << 2 | 3));
        tx.putLong(8, 0x8000_4c45_0001_0000L); // ISID: random format (T = 10b), qualifier 1; TSIH 0
        tx.putInt(16, 0).putInt(24, cmdSn).putInt(28, expStatSn);
        tx.put(BHS, data);
        send(data.length);
        int at = readPdu();
        int status = rx.getShort(at + 36) & 0xFFFF;
        if ((rx.get(at) & 0x3F) != OP_LOGIN_RESPONSE || status != 0 || (rx.get(at + 1) & 0x83) != (FINAL | 3)) {
            throw new IOException(String.format("login to %s failed: opcode 0x%02x status 0x%04x flags 0x%02x",
                    target, rx.get(at) & 0x3F, status, rx.get(at + 1)));
        }
        Map<String, String> answer = new HashMap<>();
        int length = rx.getInt(at + 4) & 0xFFFFFF;
        byte[] answerText = new byte[length];
        rx.get(at + BHS, answerText);
        for (String pair : new String(answerText, StandardCharsets.US_ASCII).split("\0")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                answer.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        expStatSn = rx.getInt(at + 24) + 1;
        maxCmdSn = rx.getInt(at + 32);
        rx.position(at + pduLength(at));
        // RFC 7143 13.12: MaxRecvDataSegmentLength is declarative; the default is 8192
        targetMaxRecvSegment = Integer.parseInt(answer.getOrDefault("MaxRecvDataSegmentLength", "8192"));
        // the result of ImmediateData is the AND of both offers (13.11); FirstBurstLength the minimum (13.14)
        immediateData = "Yes".equals(answer.getOrDefault("ImmediateData", "Yes"))
                && Integer.parseInt(answer.getOrDefault("FirstBurstLength", "65536")) >= ioBytes
                && targetMaxRecvSegment >= ioBytes;
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
        if (cmdSn - maxCmdSn > 0) {
            throw new IOException("the target closed its CmdSN window: CmdSN " + cmdSn + ", MaxCmdSN " + maxCmdSn);
        }
        clearHeader();
        tx.put(0, (byte) OP_SCSI_COMMAND).put(1, (byte) (FINAL | (write ? FLAG_WRITE : FLAG_READ) | ATTR_SIMPLE));
        tx.putLong(8, lunField).putInt(16, tag).putInt(20, ioBytes).putInt(24, cmdSn++).putInt(28, expStatSn);
        tx.put(32, (byte) (write ? WRITE_16 : READ_16)).putLong(34, unit * blocksPerIo).putInt(42, blocksPerIo);
        int immediate = write && immediateData ? ioBytes : 0;
        if (immediate > 0) {
            tx.put(BHS, buffers[tag], 0, immediate);
        }
        send(immediate);
    }

    @Override
    public int awaitAny() throws IOException {
        while (true) {
            int at = readPdu();
            int end = at + pduLength(at);
            int tag = rx.getInt(at + 16);
            switch (rx.get(at) & 0x3F) {
                case OP_DATA_IN -> {
                    int length = rx.getInt(at + 4) & 0xFFFFFF;
                    buffers[tag].put(rx.getInt(at + 40), rx, at + BHS, length);
                    window(at);
                    if ((rx.get(at + 1) & FLAG_STATUS) != 0) {
                        expStatSn = rx.getInt(at + 24) + 1;
                        status(at, tag);
                        rx.position(end);
                        return tag;
                    }
                }
                case OP_SCSI_RESPONSE -> {
                    expStatSn = rx.getInt(at + 24) + 1;
                    window(at);
                    if (rx.get(at + 2) != 0) {
                        throw new IOException("iSCSI response 0x" + Integer.toHexString(rx.get(at + 2) & 0xFF)
                                + " for ITT " + tag);
                    }
                    status(at, tag);
                    rx.position(end);
                    return tag;
                }
                case OP_R2T -> {
                    window(at);
                    dataOut(tag, rx.getInt(at + 20), rx.getInt(at + 40), rx.getInt(at + 44));
                }
                case OP_NOP_IN -> {
                    window(at);
                    int ttt = rx.getInt(at + 20);
                    if (ttt != RESERVED_TAG) { // a target ping wants a NOP-Out echo (RFC 7143 11.18)
                        clearHeader();
                        tx.put(0, (byte) (OP_NOP_OUT | IMMEDIATE)).put(1, (byte) FINAL).putLong(8, rx.getLong(at + 8))
                                .putInt(16, RESERVED_TAG).putInt(20, ttt).putInt(24, cmdSn).putInt(28, expStatSn);
                        send(0);
                    }
                }
                default -> throw new IOException(String.format("unexpected PDU, opcode 0x%02x", rx.get(at) & 0x3F));
            }
            rx.position(end);
        }
    }

    private void status(int at, int tag) throws IOException {
        int status = rx.get(at + 3) & 0xFF;
        if (status != STATUS_GOOD) {
            throw new IOException(String.format("ITT %d ended with SCSI status 0x%02x", tag, status));
        }
    }

    /** ExpCmdSN and MaxCmdSN (bytes 28-35) of a target PDU that carries them; MaxCmdSN only moves forward. */
    private void window(int at) {
        int max = rx.getInt(at + 32);
        if (max - maxCmdSn > 0) {
            maxCmdSn = max;
        }
    }

    /** RFC 7143 11.8: Data-Out PDUs for an R2T, each at most the target's MaxRecvDataSegmentLength. */
    private void dataOut(int tag, int ttt, int offset, int length) throws IOException {
        int end = offset + length;
        for (int dataSn = 0; offset < end; dataSn++) {
            int n = Math.min(targetMaxRecvSegment, end - offset);
            clearHeader();
            tx.put(0, (byte) OP_DATA_OUT).put(1, (byte) (offset + n == end ? FINAL : 0)).putLong(8, lunField)
                    .putInt(16, tag).putInt(20, ttt).putInt(28, expStatSn).putInt(36, dataSn).putInt(40, offset);
            tx.put(BHS, buffers[tag], offset, n);
            send(n);
            offset += n;
        }
    }

    private void clearHeader() {
        for (int i = 0; i < BHS; i += Long.BYTES) {
            tx.putLong(i, 0);
        }
    }

    /** Sends the BHS in {@code tx} with {@code dataLength} bytes of data after it, padded to 4 bytes. */
    private void send(int dataLength) throws IOException {
        tx.putInt(4, dataLength); // TotalAHSLength 0 in byte 4, DataSegmentLength in bytes 5-7
        int padded = dataLength + (-dataLength & 3);
        for (int i = BHS + dataLength; i < BHS + padded; i++) {
            tx.put(i, (byte) 0);
        }
        tx.position(0).limit(BHS + padded);
        while (tx.hasRemaining()) {
            channel.write(tx);
        }
        tx.clear();
    }

    /** Total PDU length: BHS, AHS, data and padding (RFC 7143 11.2). */
    private int pduLength(int at) {
        int data = rx.getInt(at + 4) & 0xFFFFFF;
        return BHS + (rx.get(at + 4) & 0xFF) * 4 + data + (-data & 3);
    }

    /** Makes one whole PDU readable in {@code rx} and returns where it starts (rx.position()). */
    private int readPdu() throws IOException {
        need(BHS);
        need(pduLength(rx.position()));
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

    /** Logs out (RFC 7143 11.14, reason 0: close the session), then closes the socket. */
    @Override
    public void close() throws IOException {
        try (channel) {
            clearHeader();
            tx.put(0, (byte) (OP_LOGOUT_REQUEST | IMMEDIATE)).put(1, (byte) FINAL)
                    .putInt(16, buffers.length).putInt(24, cmdSn).putInt(28, expStatSn);
            send(0);
            int at;
            while ((rx.get(at = readPdu()) & 0x3F) != OP_LOGOUT_RESPONSE) {
                rx.position(at + pduLength(at));
            }
        }
    }
}
