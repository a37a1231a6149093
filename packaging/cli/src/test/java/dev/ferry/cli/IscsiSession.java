package dev.ferry.cli;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A minimal iSCSI session (RFC 7143) of one named initiator: one login to full feature phase, then SCSI commands one
 * at a time, data out as immediate data (a parameter list, one block). For commands libiscsi's tools do not send
 * (PERSISTENT RESERVE IN/OUT) and for seeing a command's SCSI status (RESERVATION CONFLICT) rather than an error.
 */
final class IscsiSession implements AutoCloseable {
    private static final int BHS = 48;
    /** SAM-5 5.3.1: the status of a command refused by a reservation. */
    static final int RESERVATION_CONFLICT = 0x18;

    /** A command's SCSI status and its data in. */
    record Result(int status, byte[] data) {
    }

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private int cmdSn;
    private int expStatSn;
    private int itt = 2; // 1 was the login's

    IscsiSession(int port, String target, String initiator) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(30_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
        ByteBuffer login = ByteBuffer.allocate(BHS);
        login.put(0, (byte) 0x43).put(1, (byte) 0x87); // Login Request, T, CSG 1 (operational), NSG 3 (full)
        login.put(8, (byte) 0x80).put(13, (byte) 0x01); // ISID (random type)
        login.putInt(16, 1).putInt(24, 1);
        byte[] keys = ("InitiatorName=" + initiator + "\0TargetName=" + target
                + "\0SessionType=Normal\0HeaderDigest=None\0DataDigest=None\0ImmediateData=Yes\0")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer r = send(login, keys);
        while ((r.get(1) & 0x80) == 0 || (r.get(1) & 0x03) != 3) {
            if (r.get(0) != 0x23 || r.get(36) != 0) {
                throw new IOException("login refused: class " + r.get(36) + " detail " + r.get(37));
            }
            login.putInt(28, r.getInt(24) + 1);
            r = send(login, new byte[0]);
        }
        if (r.get(36) != 0) {
            throw new IOException("login refused: class " + r.get(36) + " detail " + r.get(37));
        }
        cmdSn = r.getInt(28);
        expStatSn = r.getInt(24) + 1;
    }

    /** Sends {@code cdb} with {@code dataOut} (may be empty) or reading up to {@code readLength} bytes. */
    Result command(byte[] cdb, byte[] dataOut, int readLength) throws IOException {
        ByteBuffer cmd = ByteBuffer.allocate(BHS);
        int flags = 0x80 | 0x01 | (dataOut.length > 0 ? 0x20 : 0) | (readLength > 0 ? 0x40 : 0); // F, simple
        cmd.put(0, (byte) 0x01).put(1, (byte) flags);
        cmd.putInt(16, itt++).putInt(20, dataOut.length > 0 ? dataOut.length : readLength);
        cmd.putInt(24, cmdSn++).putInt(28, expStatSn);
        cmd.position(32);
        cmd.put(cdb);
        writePdu(cmd, dataOut);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while (true) {
            ByteBuffer bhs = readBhs();
            byte[] segment = readSegment(bhs);
            int opcode = bhs.get(0) & 0x3F;
            if (opcode == 0x25) { // SCSI Data-In
                data.write(segment);
                if ((bhs.get(1) & 0x01) != 0) {
                    expStatSn = bhs.getInt(24) + 1;
                    return new Result(bhs.get(3) & 0xFF, data.toByteArray());
                }
            } else if (opcode == 0x21) { // SCSI Response
                expStatSn = bhs.getInt(24) + 1;
                return new Result(bhs.get(3) & 0xFF, data.toByteArray());
            } else if (opcode != 0x20) { // not a NOP-In: anything else is unexpected here
                throw new IOException("unexpected opcode 0x" + Integer.toHexString(opcode));
            }
        }
    }

    /** PERSISTENT RESERVE OUT (SPC-4 6.16) with the basic 24-byte parameter list. */
    Result persistentReserveOut(int serviceAction, int type, long key, long serviceActionKey) throws IOException {
        byte[] cdb = new byte[10];
        cdb[0] = 0x5F;
        cdb[1] = (byte) serviceAction;
        cdb[2] = (byte) type;
        cdb[8] = 24;
        ByteBuffer p = ByteBuffer.allocate(24).putLong(0, key).putLong(8, serviceActionKey);
        return command(cdb, p.array(), 0);
    }

    /** PERSISTENT RESERVE IN (SPC-4 6.15): READ KEYS (0) or READ RESERVATION (1). */
    ByteBuffer persistentReserveIn(int serviceAction) throws IOException {
        byte[] cdb = new byte[10];
        cdb[0] = 0x5E;
        cdb[1] = (byte) serviceAction;
        cdb[7] = 0x04; // ALLOCATION LENGTH 1024
        Result r = command(cdb, new byte[0], 1024);
        if (r.status() != 0) {
            throw new IOException("PERSISTENT RESERVE IN status 0x" + Integer.toHexString(r.status()));
        }
        return ByteBuffer.wrap(r.data());
    }

    /** WRITE(10) of one 512-byte block at {@code lba}: its SCSI status. */
    int write(long lba, byte fill) throws IOException {
        byte[] cdb = new byte[10];
        cdb[0] = 0x2A;
        ByteBuffer.wrap(cdb).putInt(2, (int) lba).putShort(7, (short) 1);
        byte[] block = new byte[512];
        java.util.Arrays.fill(block, fill);
        return command(cdb, block, 0).status();
    }

    private ByteBuffer send(ByteBuffer bhs, byte[] data) throws IOException {
        writePdu(bhs, data);
        ByteBuffer r = readBhs();
        readSegment(r);
        return r;
    }

    private void writePdu(ByteBuffer bhs, byte[] data) throws IOException {
        bhs.put(5, (byte) (data.length >> 16)).put(6, (byte) (data.length >> 8)).put(7, (byte) data.length);
        out.write(bhs.array());
        out.write(data);
        out.write(new byte[(4 - data.length % 4) % 4]);
        out.flush();
    }

    private ByteBuffer readBhs() throws IOException {
        byte[] b = new byte[BHS];
        in.readFully(b);
        return ByteBuffer.wrap(b);
    }

    private byte[] readSegment(ByteBuffer bhs) throws IOException {
        int length = (bhs.get(5) & 0xFF) << 16 | (bhs.get(6) & 0xFF) << 8 | bhs.get(7) & 0xFF;
        byte[] segment = new byte[length];
        in.readFully(segment);
        in.readFully(new byte[(4 - length % 4) % 4]);
        return segment;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
