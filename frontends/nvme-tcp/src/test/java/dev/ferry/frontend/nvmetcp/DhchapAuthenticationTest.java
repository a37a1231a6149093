package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.DhchapKey;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.frontend.nvme.auth.Failure;
import dev.ferry.frontend.nvme.auth.Success1;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DH-HMAC-CHAP over a real NVMe/TCP socket with an in-test host ({@link DhchapTestHost}): the host's ACL entry
 * has a secret (and a controller secret), so every queue must authenticate before anything else runs; wrong
 * secrets and hostile messages end in AUTH_Failure1 with the right explanation and leave the host without a queue.
 */
class DhchapAuthenticationTest {
    static final String NQN = "nqn.2024-01.dev.ferry:dhchap";
    static final int BLOCK = 512;
    /** Connect response DW0 bit 17, AUTHREQ.ATR. */
    static final long ATR = 1L << 17;
    /** Status Field: DNR, SCT 1, SC 91h Authentication Required. */
    static final int AUTH_REQUIRED = 1 << 14 | 1 << 8 | 0x91;
    static final int INVALID_FIELD = 1 << 14 | 0x02;
    static final byte[] ALL_HASHES = {1, 2, 3};
    static final byte[] SHA256_ONLY = {1};
    static final byte[] ALL_GROUPS = {0, 1, 2, 3, 4, 5};
    static final byte[] NULL_GROUP = {0};
    // failure explanations (Base 2.0 8.13, as Linux numbers them)
    static final int FAILED = 0x01;
    static final int HASH_UNUSABLE = 0x04;
    static final int DHGROUP_UNUSABLE = 0x05;
    static final int INCORRECT_PAYLOAD = 0x06;
    static final int INCORRECT_PROTOCOL_MESSAGE = 0x07;

    @TempDir
    Path dir;
    TargetCore core;
    InetSocketAddress address;
    DhchapKey hostKey;
    DhchapKey controllerKey;

    static DhchapKey newKey(int hashId) {
        byte[] k = new byte[hashId == 0 ? 48 : DhchapKey.keyLengthOf(hashId)];
        new SecureRandom().nextBytes(k);
        return new DhchapKey(hashId, k);
    }

    Path secretFile(String name, DhchapKey key) throws Exception {
        Path f = Files.createFile(dir.resolve(name),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.writeString(f, key.format() + "\n");
    }

    @BeforeEach
    void start() throws Exception {
        hostKey = newKey(1);
        controllerKey = newKey(0);
        AclConfig acl = new AclConfig(NvmeTcpTestHost.HOST_NQN, null, null, null, null, null,
                secretFile("host.key", hostKey).toString(), secretFile("ctrl.key", controllerKey).toString());
        core = TargetCore.start(new FerryConfig(
                List.of(new BackstoreConfig("m", "ram", "1M", null, null, null, null, null, null, null)),
                List.of(new TargetConfig(NQN, "nvme", List.of("127.0.0.1:0"), List.of(new LunConfig(1, "m")),
                        List.of(acl), false, null)), null));
        address = core.frontend("nvme").boundAddresses().get(0);
    }

    @AfterEach
    void stop() {
        core.close();
    }

    /** ICReq and a Connect; returns CQE DW0 (asserting success). */
    static long connect(NvmeTcpTestHost h, int cntlid, int qid) throws Exception {
        h.initialize(false, false);
        NvmeTcpTestHost.Completion c = h.execute(NvmeTcpTestHost.connectSqe(h.nextCid(), qid, 31, 0),
                NvmeTcpTestHost.connectData(cntlid, NQN, NvmeTcpTestHost.HOST_NQN), null);
        assertEquals(0, c.status(), "Connect");
        return c.result();
    }

    static int enable(NvmeTcpTestHost h) throws Exception {
        return h.execute(NvmeTcpTestHost.propertySqe(h.nextCid(), false, 0, NvmeTcpTestHost.PROPERTY_CC,
                NvmeTcpTestHost.CC_ENABLE), null, null).status();
    }

    @Test
    void rightSecretOpensAdminAndIoQueuesEachAfterItsOwnAuthentication() throws Exception {
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address); NvmeTcpTestHost io = new NvmeTcpTestHost(address)) {
            long dw0 = connect(admin, 0xFFFF, 0);
            assertEquals(ATR, dw0 & ATR, "AUTHREQ.ATR on the admin Connect");
            assertEquals(AUTH_REQUIRED, enable(admin), "Property Set before authentication");
            DhchapTestHost auth = new DhchapTestHost(admin, NQN);
            assertTrue(auth.authenticate(hostKey, null, ALL_HASHES, ALL_GROUPS));
            assertEquals(3, auth.challenge.hashId(), "SHA-512 chosen when offered");
            assertEquals(1, auth.challenge.dhGroupId(), "ffdhe2048 chosen first");
            assertEquals(256, auth.challenge.dhValue().length);
            assertEquals(0, enable(admin));

            int cntlid = (int) (dw0 & 0xFFFF);
            assertEquals(ATR, connect(io, cntlid, 1) & ATR, "AUTHREQ.ATR on the I/O Connect");
            byte[] data = new byte[BLOCK];
            data[0] = 42;
            assertEquals(AUTH_REQUIRED, io.execute(NvmeTcpTestHost.transportSgl(
                    NvmeTcpTestHost.sqe(NvmeTcpTestHost.OPC_READ, io.nextCid(), 1), BLOCK), null, null).status(),
                    "I/O before the I/O queue authenticated");
            assertTrue(new DhchapTestHost(io, NQN).authenticate(hostKey, null, SHA256_ONLY, NULL_GROUP));
            io.write(1, 0, data, BLOCK);
            assertArrayEquals(data, io.read(1, 0, 1, BLOCK));
        }
    }

    @Test
    void everyGroupWithTheLargestReply() throws Exception {
        for (byte group = 2; group <= 5; group++) {
            try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address)) {
                connect(admin, 0xFFFF, 0);
                DhchapTestHost auth = new DhchapTestHost(admin, NQN);
                assertTrue(auth.authenticate(hostKey, controllerKey, new byte[] {3}, new byte[] {group}),
                        "SHA-512, group " + group + ", bidirectional");
                assertEquals(group, auth.challenge.dhGroupId());
                assertEquals(new int[] {0, 256, 384, 512, 768, 1024}[group], auth.challenge.dhValue().length,
                        "the prime's length (RFC 7919: 2048 to 8192 bits)");
                assertEquals(0, enable(admin));
            }
        }
    }

    @Test
    void wrongSecretFailsAndLeavesNoQueue() throws Exception {
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address)) {
            int cntlid = (int) (connect(admin, 0xFFFF, 0) & 0xFFFF);
            DhchapTestHost auth = new DhchapTestHost(admin, NQN);
            assertFalse(auth.authenticate(newKey(1), null, ALL_HASHES, ALL_GROUPS));
            assertEquals(FAILED, auth.lastFailure.explanation());
            assertTrue(auth.lastFailure.first());
            assertTrue(admin.closedByTarget(), "the failed queue closes");
            try (NvmeTcpTestHost io = new NvmeTcpTestHost(address)) {
                io.initialize(false, false);
                NvmeTcpTestHost.Completion c = io.execute(NvmeTcpTestHost.connectSqe(io.nextCid(), 1, 31, 0),
                        NvmeTcpTestHost.connectData(cntlid, NQN, NvmeTcpTestHost.HOST_NQN), null);
                assertTrue(c.status() != 0, "no I/O queue for the controller of a host that failed");
            }
        }
    }

    @Test
    void bidirectionalProvesTheControllerAndAHostDetectsAWrongControllerSecret() throws Exception {
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address)) {
            connect(admin, 0xFFFF, 0);
            assertTrue(new DhchapTestHost(admin, NQN).authenticate(hostKey, controllerKey, ALL_HASHES, ALL_GROUPS));
            assertEquals(0, enable(admin));
        }
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address)) {
            connect(admin, 0xFFFF, 0);
            DhchapTestHost auth = new DhchapTestHost(admin, NQN);
            assertFalse(auth.authenticate(hostKey, newKey(0), SHA256_ONLY, NULL_GROUP),
                    "the host expected another controller secret: Failure2");
            assertTrue(admin.closedByTarget(), "a host that refused the controller keeps no queue");
        }
    }

    @Test
    void hostileMessagesEndInFailure1WithTheirReason() throws Exception {
        // unsupported DH group and hash
        assertEquals(DHGROUP_UNUSABLE, negotiateFailure(ALL_HASHES, new byte[] {7, 9}));
        assertEquals(HASH_UNUSABLE, negotiateFailure(new byte[] {0, 4, 9}, ALL_GROUPS));
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address)) {
            connect(admin, 0xFFFF, 0);
            DhchapTestHost auth = new DhchapTestHost(admin, NQN);
            // bounds before allocation: a TL longer than any host message, a foreign security protocol
            assertEquals(INVALID_FIELD, admin.execute(DhchapTestHost.sendSqe(admin.nextCid(), 2000, 0xE9),
                    new byte[2000], null).status());
            assertEquals(INVALID_FIELD, admin.execute(DhchapTestHost.sendSqe(admin.nextCid(), 8, 0xEA),
                    new byte[8], null).status());
            // wrong T_ID in the Reply
            assertEquals(0, auth.negotiate(SHA256_ONLY, ALL_GROUPS));
            assertNotNull(auth.receiveChallenge());
            assertEquals(0, auth.reply(hostKey, false, auth.tid + 1), "the Send itself succeeds");
            ByteBuf result = auth.receiveResult();
            assertTrue(DhchapTestHost.isFailure1(result));
            assertEquals(INCORRECT_PAYLOAD, Failure.decode(result).explanation());
            assertTrue(admin.closedByTarget());
        }
    }

    @Test
    void aReplayedReplyAndMessagesOutOfOrderFail() throws Exception {
        byte[] recorded;
        try (NvmeTcpTestHost first = new NvmeTcpTestHost(address)) {
            connect(first, 0xFFFF, 0);
            DhchapTestHost auth = new DhchapTestHost(first, NQN);
            assertTrue(auth.authenticate(hostKey, null, SHA256_ONLY, NULL_GROUP));
            recorded = auth.lastReply;
        }
        try (NvmeTcpTestHost second = new NvmeTcpTestHost(address)) {
            connect(second, 0xFFFF, 0);
            DhchapTestHost auth = new DhchapTestHost(second, NQN);
            assertEquals(0, auth.negotiate(SHA256_ONLY, NULL_GROUP));
            assertNotNull(auth.receiveChallenge());
            assertEquals(0, auth.send(recorded), "an eavesdropped Reply, sent against a fresh challenge");
            ByteBuf result = auth.receiveResult();
            assertTrue(DhchapTestHost.isFailure1(result));
            assertEquals(FAILED, Failure.decode(result).explanation());
        }
        try (NvmeTcpTestHost third = new NvmeTcpTestHost(address)) {
            connect(third, 0xFFFF, 0);
            DhchapTestHost auth = new DhchapTestHost(third, NQN);
            assertNull(auth.receiveChallenge(), "Receive before any Negotiate");
            assertEquals(INCORRECT_PROTOCOL_MESSAGE, auth.lastFailure.explanation());
            assertTrue(third.closedByTarget());
        }
    }

    @Test
    void reauthenticationOnAnAuthenticatedQueue() throws Exception {
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address)) {
            connect(admin, 0xFFFF, 0);
            DhchapTestHost auth = new DhchapTestHost(admin, NQN);
            assertTrue(auth.authenticate(hostKey, null, SHA256_ONLY, NULL_GROUP));
            assertEquals(0, enable(admin));
            auth.tid = 8;
            assertTrue(auth.authenticate(hostKey, controllerKey, ALL_HASHES, ALL_GROUPS), "AUTH_Negotiate again");
            byte[] id = admin.identify(NvmeTcpTestHost.CNS_CONTROLLER, 0);
            assertEquals(NvmeTcpTestHost.IDENTIFY_SIZE, id.length, "the queue kept working");
            auth.tid = 9;
            assertFalse(auth.authenticate(newKey(1), null, SHA256_ONLY, NULL_GROUP), "a failed re-authentication");
            assertTrue(admin.closedByTarget(), "ends the queue");
        }
    }

    @Test
    void reauthenticationAfterASecretChangeUsesTheNewSecret() throws Exception {
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address)) {
            connect(admin, 0xFFFF, 0);
            DhchapTestHost auth = new DhchapTestHost(admin, NQN);
            assertTrue(auth.authenticate(hostKey, null, SHA256_ONLY, NULL_GROUP));
            assertEquals(0, enable(admin));
            // The admin gives the host a new secret (as before 'echo ... > /sys/class/nvme/nvmeX/dhchap_secret')
            DhchapKey changed = newKey(3);
            AclConfig acl = new AclConfig(NvmeTcpTestHost.HOST_NQN, null, null, null, null, null,
                    secretFile("changed.key", changed).toString(), null);
            FerryConfig now = core.config();
            TargetConfig t = now.targets().get(0);
            core.apply(new FerryConfig(now.backstores(), List.of(new TargetConfig(t.name(), t.protocol(),
                    t.portals(), t.luns(), List.of(acl), t.allowAnyInitiator(), t.alias())), now.stateDirectory()));
            auth.tid = 10;
            assertTrue(auth.authenticate(changed, null, ALL_HASHES, ALL_GROUPS), "the new secret is taken");
            assertEquals(NvmeTcpTestHost.IDENTIFY_SIZE, admin.identify(NvmeTcpTestHost.CNS_CONTROLLER, 0).length);
            auth.tid = 11;
            assertFalse(auth.authenticate(hostKey, null, SHA256_ONLY, NULL_GROUP), "the old one no longer");
        }
    }

    /** A fresh admin queue whose Negotiate offers these lists; the Failure1 explanation. */
    int negotiateFailure(byte[] hashIds, byte[] groupIds) throws Exception {
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address)) {
            connect(admin, 0xFFFF, 0);
            DhchapTestHost auth = new DhchapTestHost(admin, NQN);
            assertEquals(0, auth.negotiate(hashIds, groupIds));
            assertNull(auth.receiveChallenge());
            assertTrue(admin.closedByTarget());
            return auth.lastFailure.explanation();
        }
    }

    @Test
    void successOneCarriesTheControllerResponseOnlyWhenAsked() throws Exception {
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(address)) {
            connect(admin, 0xFFFF, 0);
            DhchapTestHost auth = new DhchapTestHost(admin, NQN);
            assertEquals(0, auth.negotiate(SHA256_ONLY, NULL_GROUP));
            assertNotNull(auth.receiveChallenge());
            assertEquals(0, auth.reply(hostKey, false, auth.tid));
            Success1 s = Success1.decode(auth.receiveResult());
            assertNull(s.response());
            assertEquals(32, s.hl());
            assertEquals(0, enable(admin));
        }
    }
}
