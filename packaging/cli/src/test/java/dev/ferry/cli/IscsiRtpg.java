package dev.ferry.cli;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * REPORT TARGET PORT GROUPS over a minimal iSCSI session of its own (RFC 7143: one login to full feature phase,
 * one SCSI command): libiscsi's tools have no RTPG and sg_rtpg needs a kernel initiator.
 */
final class IscsiRtpg {
    private static final int BHS = 48;

    private IscsiRtpg() {
    }

    /** Each target port group's id to its asymmetric access state (SPC-4 6.37 Table 216), as the target reports. */
    static Map<Integer, Integer> report(int port, String iqn) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            ByteBuffer login = ByteBuffer.allocate(BHS);
            login.put(0, (byte) 0x43).put(1, (byte) 0x87); // Login Request, T, CSG 1 (operational), NSG 3 (full)
            login.put(8, (byte) 0x80).put(13, (byte) 0x01); // ISID (random type)
            login.putInt(16, 1).putInt(24, 1);
            byte[] keys = ("InitiatorName=iqn.2026-11.dev.ferry:rtpg\0TargetName=" + iqn
                    + "\0SessionType=Normal\0HeaderDigest=None\0DataDigest=None\0").getBytes(StandardCharsets.UTF_8);
            ByteBuffer r = send(out, in, login, keys);
            while ((r.get(1) & 0x80) == 0 || (r.get(1) & 0x03) != 3) {
                if (r.get(0) != 0x23 || r.get(36) != 0) {
                    throw new IOException("login refused: class " + r.get(36) + " detail " + r.get(37));
                }
                login.putInt(28, r.getInt(24) + 1);
                r = send(out, in, login, new byte[0]);
            }
            if (r.get(36) != 0) {
                throw new IOException("login refused: class " + r.get(36) + " detail " + r.get(37));
            }
            ByteBuffer cmd = ByteBuffer.allocate(BHS);
            cmd.put(0, (byte) 0x01).put(1, (byte) 0xC1); // SCSI Command, F, R, simple
            cmd.putInt(16, 2).putInt(20, 1024).putInt(24, r.getInt(28)).putInt(28, r.getInt(24) + 1);
            cmd.put(32, (byte) 0xA3).put(33, (byte) 0x0A).putInt(38, 1024); // MAINTENANCE IN / RTPG, alloc len
            out.write(cmd.array());
            out.flush();
            java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
            while (true) {
                ByteBuffer bhs = readBhs(in);
                byte[] segment = readSegment(in, bhs);
                int opcode = bhs.get(0) & 0x3F;
                if (opcode == 0x25) { // SCSI Data-In
                    data.write(segment);
                    if ((bhs.get(1) & 0x01) != 0) {
                        check(bhs.get(3));
                        break;
                    }
                } else if (opcode == 0x21) { // SCSI Response
                    check(bhs.get(3));
                    break;
                } else {
                    throw new IOException("unexpected opcode 0x" + Integer.toHexString(opcode));
                }
            }
            return parse(ByteBuffer.wrap(data.toByteArray()));
        }
    }

    /** SPC-4 6.37 Table 215: length, then descriptors of 8 bytes plus 4 per target port. */
    private static Map<Integer, Integer> parse(ByteBuffer b) {
        Map<Integer, Integer> states = new TreeMap<>();
        int end = 4 + b.getInt(0);
        for (int at = 4; at + 8 <= end && at + 8 <= b.limit(); at += 8 + 4 * (b.get(at + 7) & 0xFF)) {
            states.put(b.getShort(at + 2) & 0xFFFF, b.get(at) & 0x0F);
        }
        return states;
    }

    private static void check(byte status) throws IOException {
        if (status != 0) {
            throw new IOException("RTPG status 0x" + Integer.toHexString(status & 0xFF));
        }
    }

    private static ByteBuffer send(OutputStream out, DataInputStream in, ByteBuffer bhs, byte[] data)
            throws IOException {
        bhs.put(5, (byte) (data.length >> 16)).put(6, (byte) (data.length >> 8)).put(7, (byte) data.length);
        out.write(bhs.array());
        out.write(data);
        out.write(new byte[(4 - data.length % 4) % 4]);
        out.flush();
        ByteBuffer r = readBhs(in);
        readSegment(in, r);
        return r;
    }

    private static ByteBuffer readBhs(DataInputStream in) throws IOException {
        byte[] b = new byte[BHS];
        in.readFully(b);
        return ByteBuffer.wrap(b);
    }

    private static byte[] readSegment(DataInputStream in, ByteBuffer bhs) throws IOException {
        int length = (bhs.get(5) & 0xFF) << 16 | (bhs.get(6) & 0xFF) << 8 | bhs.get(7) & 0xFF;
        byte[] segment = new byte[length];
        in.readFully(segment);
        in.readFully(new byte[(4 - length % 4) % 4]);
        return segment;
    }
}
