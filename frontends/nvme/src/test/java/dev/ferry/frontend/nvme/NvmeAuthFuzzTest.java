package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.core.config.DhchapKey;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.InitiatorAccess;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.frontend.nvme.auth.AuthSpec;
import dev.ferry.testing.fuzz.NettyLeaks;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any sequence of Authentication Send and Receive commands, with any message, on an admin queue that must
 * authenticate: every command completes once, none with INTERNAL ERROR, nothing leaks ({@link NvmeFuzzing}).
 * Records: [flags: bit 0 Receive, bit 1 a foreign SECP][length, 11 bits big-endian: TL or AL][Send: the message].
 */
class NvmeAuthFuzzTest {
    private static final int RECORD_HEADER = 3;
    private static ModelHarness harness;

    @BeforeAll
    static void start() throws Exception {
        harness = NvmeFuzzing.harness();
        TreeMap<Long, LogicalUnit> ns = new TreeMap<>();
        ns.put(1L, harness.units.get("disk0"));
        byte[] controllerKey = new byte[32];
        Arrays.fill(controllerKey, (byte) 1);
        InitiatorAccess.DhchapSecrets secrets = new InitiatorAccess.DhchapSecrets(new DhchapKey(1, new byte[32]),
                new DhchapKey(0, controllerKey));
        harness.registry.replace(harness.units, List.of(new Export(ModelHarness.NQN, "nvme", null, harness.portals,
                ns, List.of(new InitiatorAccess(ModelHarness.HOST, null, null, null, secrets)), false)));
        harness.target.exportsChanged();
    }

    @AfterAll
    static void stop() throws Exception {
        harness.close();
        NettyLeaks.collectAndAssertNone();
    }

    @FuzzTest
    void anyAuthenticationExchangeCompletes(byte[] input) throws Exception {
        ModelHarness.FakeQueue admin = harness.queue();
        try {
            ModelHarness.Done c = admin.run(ModelHarness.connect(0, 31, 0),
                    ModelHarness.connectData(0xFFFF, ModelHarness.NQN, ModelHarness.HOST));
            assertEquals(AuthSpec.CONNECT_AUTHREQ_ATR, c.result() & AuthSpec.CONNECT_AUTHREQ_ATR);
            int at = 0;
            while (at + RECORD_HEADER <= input.length) {
                int flags = input[at] & 0xff;
                int length = ((input[at + 1] & 0x07) << 8) | (input[at + 2] & 0xff);
                boolean receive = (flags & 1) != 0;
                at += RECORD_HEADER;
                byte[] data = new byte[0];
                if (!receive) {
                    data = Arrays.copyOfRange(input, at, Math.min(input.length, at + length));
                    at += data.length;
                }
                NvmeFuzzing.runAndCheck(harness, admin, sqe(receive, (flags & 2) != 0 ? 0xEA : 0xE9, length), data);
            }
        } finally {
            NvmeFuzzing.close(harness, admin);
        }
    }

    /** Authentication Send (in-capsule data) or Receive of {@code length} bytes. */
    private static byte[] sqe(boolean receive, int secp, int length) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) 0x7F).put(1, (byte) 0x40).putShort(2, (short) 1);
        b.put(4, (byte) (receive ? AuthSpec.FCTYPE_AUTHENTICATION_RECEIVE : AuthSpec.FCTYPE_AUTHENTICATION_SEND));
        b.putInt(32, length).put(39, (byte) (receive ? 0x5A : 0x01));
        b.put(41, (byte) 1).put(42, (byte) 1).put(43, (byte) secp).putInt(44, length);
        return b.array();
    }
}
