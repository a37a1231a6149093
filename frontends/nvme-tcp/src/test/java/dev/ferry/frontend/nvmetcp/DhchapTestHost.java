package dev.ferry.frontend.nvmetcp;

import dev.ferry.core.config.DhchapKey;
import dev.ferry.frontend.nvme.auth.AuthFailure;
import dev.ferry.frontend.nvme.auth.Challenge;
import dev.ferry.frontend.nvme.auth.DhGroup;
import dev.ferry.frontend.nvme.auth.DhchapCrypto;
import dev.ferry.frontend.nvme.auth.DhchapHash;
import dev.ferry.frontend.nvme.auth.Failure;
import dev.ferry.frontend.nvme.auth.Negotiate;
import dev.ferry.frontend.nvme.auth.Reply;
import dev.ferry.frontend.nvme.auth.Success1;
import dev.ferry.frontend.nvme.auth.Success2;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * The host's side of DH-HMAC-CHAP over one {@link NvmeTcpTestHost} queue, the way the Linux host runs it
 * (drivers/nvme/host/auth.c): Negotiate, Challenge, Reply, Success1 and, bidirectional, Success2 or Failure2. Each
 * step is also reachable alone so tests can misbehave between them.
 */
final class DhchapTestHost {
    static final int SUCCESS = 0;
    static final int AUTH_SEND = 0x05;
    static final int AUTH_RECEIVE = 0x06;
    static final int SECP = 0xE9;
    static final int RECEIVE_LENGTH = 4096;
    static final int ID_FAILURE1 = 0xF1;

    final NvmeTcpTestHost h;
    final String subnqn;
    final SecureRandom random = new SecureRandom();
    int tid = 7;
    Challenge challenge;
    byte[] sessionKey;
    byte[] c2;
    long s2;
    /** The last Reply sent, for replaying it. */
    byte[] lastReply;

    DhchapTestHost(NvmeTcpTestHost h, String subnqn) {
        this.h = h;
        this.subnqn = subnqn;
    }

    static byte[] sendSqe(int cid, int length, int secp) {
        ByteBuffer b = NvmeTcpTestHost.le(64);
        b.put(0, (byte) 0x7F).put(1, (byte) 0x40).putShort(2, (short) cid).put(4, (byte) AUTH_SEND);
        NvmeTcpTestHost.inCapsuleSgl(b, length);
        b.put(41, (byte) 1).put(42, (byte) 1).put(43, (byte) secp).putInt(44, length);
        return b.array();
    }

    static byte[] receiveSqe(int cid, int length) {
        ByteBuffer b = NvmeTcpTestHost.le(64);
        b.put(0, (byte) 0x7F).put(1, (byte) 0x40).putShort(2, (short) cid).put(4, (byte) AUTH_RECEIVE);
        NvmeTcpTestHost.transportSgl(b, length);
        b.put(41, (byte) 1).put(42, (byte) 1).put(43, (byte) SECP).putInt(44, length);
        return b.array();
    }

    /** Authentication Send of raw message bytes; returns the command's status. */
    int send(byte[] message) throws IOException {
        return h.execute(sendSqe(h.nextCid(), message.length, SECP), message, null).status();
    }

    int send(ByteBuf message) throws IOException {
        return send(ByteBufUtil.getBytes(message));
    }

    /** Authentication Receive; the message bytes (the command must succeed). */
    ByteBuf receive() throws IOException {
        NvmeTcpTestHost.Completion c = h.execute(receiveSqe(h.nextCid(), RECEIVE_LENGTH), null, null);
        if (c.status() != SUCCESS) {
            throw new IOException("Authentication Receive status 0x" + Integer.toHexString(c.status()));
        }
        return Unpooled.wrappedBuffer(c.data());
    }

    static boolean isFailure1(ByteBuf m) {
        return m.readableBytes() == 8 && m.getUnsignedByte(1) == ID_FAILURE1;
    }

    int negotiate(byte[] hashIds, byte[] groupIds) throws IOException {
        return send(new Negotiate(tid, 0, hashIds, groupIds).encode());
    }

    /** Receives the challenge; null when a Failure1 came instead (then {@link #lastFailure} holds it). */
    Challenge receiveChallenge() throws IOException, AuthFailure {
        ByteBuf m = receive();
        if (isFailure1(m)) {
            lastFailure = Failure.decode(m);
            return null;
        }
        challenge = Challenge.decode(m);
        return challenge;
    }

    Failure lastFailure;

    /** Computes and sends the Reply to the received challenge; bidirectional when {@code bidirectional}. */
    int reply(DhchapKey hostKey, boolean bidirectional, int replyTid) throws IOException {
        DhchapHash hash = DhchapHash.of(challenge.hashId());
        DhGroup group = DhGroup.of(challenge.dhGroupId());
        byte[] dhValue = new byte[0];
        sessionKey = null;
        if (group != DhGroup.NULL) {
            BigInteger x = group.newPrivate(random);
            dhValue = group.publicValue(x);
            sessionKey = group.sharedSecret(x, challenge.dhValue());
        }
        byte[] response = DhchapCrypto.hostResponse(hash, hostKey, NvmeTcpTestHost.HOST_NQN, subnqn, challenge.c1(),
                challenge.seqnum(), tid, sessionKey);
        c2 = new byte[hash.length()];
        if (bidirectional) {
            random.nextBytes(c2);
            s2 = 1 + random.nextInt(1 << 30);
        } else {
            s2 = 0;
        }
        lastReply = ByteBufUtil.getBytes(new Reply(replyTid, response, bidirectional, s2, c2, dhValue).encode());
        return send(lastReply);
    }

    /** The Success1 (or Failure1) after a Reply. */
    ByteBuf receiveResult() throws IOException {
        return receive();
    }

    /**
     * Whether the Success1's controller response is the one the controller key gives: the host's check in
     * bidirectional authentication.
     */
    boolean controllerProved(Success1 s, DhchapKey controllerKey) {
        DhchapHash hash = DhchapHash.of(challenge.hashId());
        byte[] expected = DhchapCrypto.controllerResponse(hash, controllerKey, subnqn, NvmeTcpTestHost.HOST_NQN, c2,
                s2, tid, sessionKey);
        return s.response() != null && MessageDigest.isEqual(expected, s.response());
    }

    /**
     * The whole transaction; true on success. With a controller key, bidirectional: Success2 when the controller
     * proves it, else Failure2 and false.
     */
    boolean authenticate(DhchapKey hostKey, DhchapKey controllerKey, byte[] hashIds, byte[] groupIds)
            throws IOException, AuthFailure {
        if (negotiate(hashIds, groupIds) != SUCCESS || receiveChallenge() == null) {
            return false;
        }
        if (reply(hostKey, controllerKey != null, tid) != SUCCESS) {
            return false;
        }
        ByteBuf result = receiveResult();
        if (isFailure1(result)) {
            lastFailure = Failure.decode(result);
            return false;
        }
        Success1 s = Success1.decode(result);
        if (controllerKey == null) {
            return true;
        }
        if (!controllerProved(s, controllerKey)) {
            send(new Failure(false, tid, 0x01, 0x01).encode());
            return false;
        }
        return send(new Success2(tid).encode()) == SUCCESS;
    }
}
