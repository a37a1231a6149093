package dev.ferry.bench.initiator;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * An iSCSI initiator (RFC 7143) of one session, one connection, no digests, no authentication: login straight to
 * the operational stage, READ CAPACITY (16) for the block size, then READ (16) / WRITE (16) one at a time, write
 * data immediate when negotiated and on R2T otherwise; NOP-In pings are echoed.
 */
final class IscsiSession implements BlockDevice {
    static final String INITIATOR = "iqn.2026-12.dev.ferry:bench-initiator";

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
    private static final int OP_ASYNC = 0x32;
    private static final int IMMEDIATE = 0x40;
    private static final int FINAL = 0x80;
    private static final int BHS = 48;
    private static final int RESERVED_TAG = 0xFFFFFFFF;
    /** RFC 7143 11.4.1: R and W flags, Simple task attribute; 11.7.1: S bit of Data-In. */
    private static final int FLAG_READ = 0x40;
    private static final int FLAG_WRITE = 0x20;
    private static final int ATTR_SIMPLE = 1;
    private static final int FLAG_STATUS = 0x01;
    /** SAM-5 5.3: status codes. */
    private static final int STATUS_GOOD = 0x00;
    private static final int STATUS_CHECK_CONDITION = 0x02;
    /** RFC 7143 11.12.1: login stages. */
    private static final int OPERATIONAL = 1;
    private static final int FULL_FEATURE = 3;
    /** SBC-4: READ (16), WRITE (16), SERVICE ACTION IN (16) / READ CAPACITY (16). */
    private static final int READ_16 = 0x88;
    private static final int WRITE_16 = 0x8A;
    private static final int SERVICE_ACTION_IN_16 = 0x9E;
    private static final int READ_CAPACITY_16 = 0x10;
    private static final int READ_CAPACITY_LENGTH = 32;
    private static final int MAX_SEGMENT = 262144;
    private static final int MAX_SEND = 1 << 20;

    private final Channel c;
    private final long lunField;
    private final ByteBuffer capacity = ByteBuffer.allocateDirect(READ_CAPACITY_LENGTH);
    private final int blockSize;
    private final byte[] cdb = new byte[16];
    private String lastSense = "no sense data";
    private boolean immediateData;
    private int firstBurst;
    private int targetMaxSegment;
    private int cmdSn = 1;
    private int expStatSn;
    private int itt;

    /** @param instance tells apart sessions of the same initiator name (the ISID qualifier) */
    IscsiSession(InetSocketAddress portal, String target, long lun, int instance)
            throws IOException {
        c = new Channel(portal, ByteOrder.BIG_ENDIAN, BHS + MAX_SEND);
        try {
            lunField = (lun < 256 ? lun : 0x4000 | lun) << 48; // SAM-5 4.6.4: peripheral / flat addressing
            login(target, instance);
            // SBC-4 5.20.1: allocation length in bytes 10-13
            byte[] readCapacity = {(byte) SERVICE_ACTION_IN_16, READ_CAPACITY_16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                READ_CAPACITY_LENGTH, 0, 0};
            // The first commands of a new I_T nexus may meet a unit attention (SAM-5 5.14): asking again clears it.
            for (int attempt = 1; !command(false, readCapacity, capacity); attempt++) {
                if (attempt == 3) {
                    throw new IOException("READ CAPACITY (16) kept ending in CHECK CONDITION, " + lastSense);
                }
            }
            blockSize = capacity.getInt(8);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private void login(String target, int instance) throws IOException {
        Map<String, String> answer = new HashMap<>();
        String offer = "InitiatorName=" + INITIATOR + "\0SessionType=Normal\0TargetName=" + target
                + "\0HeaderDigest=None\0DataDigest=None\0MaxRecvDataSegmentLength=" + MAX_SEGMENT
                + "\0InitialR2T=Yes\0ImmediateData=Yes\0FirstBurstLength=65536\0MaxBurstLength=262144"
                + "\0ErrorRecoveryLevel=0\0";
        byte[] text = offer.getBytes(StandardCharsets.US_ASCII);
        // Some targets answer the first request without transiting: then ask again with no keys (RFC 7143 6.2).
        for (int round = 0; round < 4; round++) {
            c.clear(BHS);
            c.tx.put(0, (byte) (OP_LOGIN_REQUEST | IMMEDIATE)).put(1, (byte) (FINAL | OPERATIONAL << 2 | FULL_FEATURE));
            // ISID (RFC 7143 10.12.5): random format (T = 10b), the instance as qualifier; TSIH 0: a new session
            c.tx.putLong(8, 0x8000_be9c_0000_0000L | (instance & 0xFFFFL) << 16);
            c.tx.putInt(16, itt).putInt(24, cmdSn).putInt(28, expStatSn);
            c.tx.put(BHS, text);
            send(text.length);
            int at = readPdu();
            int status = c.rx.getShort(at + 36) & 0xFFFF;
            if ((c.rx.get(at) & 0x3F) != OP_LOGIN_RESPONSE || status != 0) {
                throw new IOException(String.format("login to %s failed: opcode 0x%02x status 0x%04x", target,
                        c.rx.get(at) & 0x3F, status));
            }
            byte[] got = new byte[c.rx.getInt(at + 4) & 0xFFFFFF];
            c.rx.get(at + BHS, got);
            for (String pair : new String(got, StandardCharsets.US_ASCII).split("\0")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    answer.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
            expStatSn = c.rx.getInt(at + 24) + 1;
            int flags = c.rx.get(at + 1);
            skip(at);
            if ((flags & FINAL) != 0 && (flags & 3) == FULL_FEATURE) {
                targetMaxSegment = Integer.parseInt(answer.getOrDefault("MaxRecvDataSegmentLength", "8192"));
                firstBurst = Math.min(65536, Integer.parseInt(answer.getOrDefault("FirstBurstLength", "65536")));
                immediateData = "Yes".equals(answer.getOrDefault("ImmediateData", "Yes"));
                itt++;
                return;
            }
            text = new byte[0];
        }
        throw new IOException("login to " + target + " did not reach the full feature phase");
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public void read(long lba, ByteBuffer into) throws IOException {
        good(command(false, cdb16(READ_16, lba, into.limit() / blockSize), into), lba);
    }

    @Override
    public void write(long lba, ByteBuffer from) throws IOException {
        good(command(true, cdb16(WRITE_16, lba, from.limit() / blockSize), from), lba);
    }

    private void good(boolean good, long lba) throws IOException {
        if (!good) {
            throw new IOException("CHECK CONDITION at LBA " + lba + ", " + lastSense);
        }
    }

    private byte[] cdb16(int opcode, long lba, int blocks) {
        ByteBuffer.wrap(cdb).put(0, (byte) opcode).putLong(2, lba).putInt(10, blocks);
        return cdb;
    }

    /**
     * Runs one command to its status; {@code data} is what to send (write) or where Data-In goes (read). Returns
     * false on CHECK CONDITION; any other status but GOOD throws.
     */
    private boolean command(boolean write, byte[] cdb, ByteBuffer data) throws IOException {
        int tag = itt++ & 0x7FFFFFFF;
        int length = data.limit();
        c.clear(BHS);
        c.tx.put(0, (byte) OP_SCSI_COMMAND).put(1, (byte) (FINAL | (write ? FLAG_WRITE : FLAG_READ) | ATTR_SIMPLE));
        c.tx.putLong(8, lunField).putInt(16, tag).putInt(20, length).putInt(24, cmdSn++).putInt(28, expStatSn);
        c.tx.put(32, cdb);
        int immediate = write && immediateData ? Math.min(length, Math.min(firstBurst, targetMaxSegment)) : 0;
        c.tx.put(BHS, data, 0, immediate);
        send(immediate);
        while (true) {
            int at = readPdu();
            switch (c.rx.get(at) & 0x3F) {
                case OP_DATA_IN -> {
                    data.put(c.rx.getInt(at + 40), c.rx, at + BHS, c.rx.getInt(at + 4) & 0xFFFFFF);
                    if ((c.rx.get(at + 1) & FLAG_STATUS) != 0) {
                        expStatSn = c.rx.getInt(at + 24) + 1;
                        return status(at, tag);
                    }
                }
                case OP_SCSI_RESPONSE -> {
                    expStatSn = c.rx.getInt(at + 24) + 1;
                    if (c.rx.get(at + 2) != 0) {
                        throw new IOException("iSCSI response 0x" + Integer.toHexString(c.rx.get(at + 2) & 0xFF));
                    }
                    return status(at, tag);
                }
                case OP_R2T -> dataOut(data, c.rx.getInt(at + 16), c.rx.getInt(at + 20), c.rx.getInt(at + 40),
                        c.rx.getInt(at + 44));
                case OP_NOP_IN -> {
                    int ttt = c.rx.getInt(at + 20);
                    if (ttt != RESERVED_TAG) { // a ping wants its echo (RFC 7143 11.18)
                        long lun = c.rx.getLong(at + 8);
                        skip(at);
                        c.clear(BHS);
                        c.tx.put(0, (byte) (OP_NOP_OUT | IMMEDIATE)).put(1, (byte) FINAL).putLong(8, lun)
                                .putInt(16, RESERVED_TAG).putInt(20, ttt).putInt(24, cmdSn).putInt(28, expStatSn);
                        send(0);
                        continue;
                    }
                }
                case OP_ASYNC -> { } // nothing this client acts on
                default -> throw new IOException(String.format("unexpected opcode 0x%02x", c.rx.get(at) & 0x3F));
            }
            skip(at);
        }
    }

    /** The command's status: true for GOOD, false for CHECK CONDITION; consumes the PDU. */
    private boolean status(int at, int tag) throws IOException {
        int status = c.rx.get(at + 3) & 0xFF;
        int itt = c.rx.getInt(at + 16);
        if (status == STATUS_CHECK_CONDITION && (c.rx.getInt(at + 4) & 0xFFFFFF) >= 2 + 14) {
            // RFC 7143 11.4.7.2: SenseLength, then fixed-format sense data (SPC-5 4.4.3)
            lastSense = String.format("sense key %x ASC/ASCQ %02x/%02x", c.rx.get(at + BHS + 2 + 2) & 0xF,
                    c.rx.get(at + BHS + 2 + 12), c.rx.get(at + BHS + 2 + 13));
        }
        skip(at);
        if (itt != tag || status != STATUS_GOOD && status != STATUS_CHECK_CONDITION) {
            throw new IOException(String.format("ITT %d (sent %d): SCSI status 0x%02x", itt, tag, status));
        }
        return status == STATUS_GOOD;
    }

    /** RFC 7143 11.8: Data-Out for an R2T, in segments of at most the target's MaxRecvDataSegmentLength. */
    private void dataOut(ByteBuffer data, int tag, int ttt, int offset, int length) throws IOException {
        int end = offset + length;
        for (int dataSn = 0; offset < end; dataSn++) {
            int n = Math.min(targetMaxSegment, end - offset);
            c.clear(BHS);
            c.tx.put(0, (byte) OP_DATA_OUT).put(1, (byte) (offset + n == end ? FINAL : 0)).putLong(8, lunField)
                    .putInt(16, tag).putInt(20, ttt).putInt(28, expStatSn).putInt(36, dataSn).putInt(40, offset);
            c.tx.put(BHS, data, offset, n);
            send(n);
            offset += n;
        }
    }

    private void send(int dataLength) throws IOException {
        c.tx.putInt(4, dataLength); // TotalAHSLength 0, DataSegmentLength in bytes 5-7
        int padded = dataLength + (-dataLength & 3);
        for (int i = BHS + dataLength; i < BHS + padded; i++) {
            c.tx.put(i, (byte) 0);
        }
        c.send(BHS + padded);
    }

    private int pduLength(int at) {
        int data = c.rx.getInt(at + 4) & 0xFFFFFF;
        return BHS + (c.rx.get(at + 4) & 0xFF) * 4 + data + (-data & 3);
    }

    private int readPdu() throws IOException {
        c.need(BHS);
        c.need(pduLength(c.rx.position()));
        return c.rx.position();
    }

    private void skip(int at) {
        c.rx.position(at + pduLength(at));
    }

    /** Logs out (reason 0: close the session) and closes the connection. */
    @Override
    public void close() throws IOException {
        try (c) {
            c.clear(BHS);
            c.tx.put(0, (byte) (OP_LOGOUT_REQUEST | IMMEDIATE)).put(1, (byte) FINAL).putInt(16, itt++ & 0x7FFFFFFF)
                    .putInt(24, cmdSn).putInt(28, expStatSn);
            send(0);
            int at;
            while ((c.rx.get(at = readPdu()) & 0x3F) != OP_LOGOUT_RESPONSE) {
                skip(at);
            }
        }
    }
}
