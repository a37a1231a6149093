package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A connection must complete ICReq and Connect within a deadline fixed at accept: one that sends nothing, or
 * trickles its ICReq or Connect a few bytes at a time, is closed however long it keeps sending; one that connected
 * in time is not affected. The test deadline is short; the trickles would take several times as long.
 */
class ConnectDeadlineTest {
    static final Duration DEADLINE = Duration.ofMillis(300);
    static final int TRICKLE_PAUSE_MILLIS = 20;
    static LimitedTarget target;

    @BeforeAll
    static void start() throws Exception {
        target = new LimitedTarget(new TcpLimits(DEADLINE, Duration.ofSeconds(1), 64 * 1024));
    }

    @AfterAll
    static void stop() {
        target.close();
    }

    /** Sends {@code bytes} a few at a time until done or the target closed the connection. */
    static void trickle(NvmeTcpTestHost h, byte[] bytes, int chunk) throws InterruptedException {
        try {
            for (int at = 0; at < bytes.length; at += chunk) {
                h.sendRaw(java.util.Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + chunk)));
                Thread.sleep(TRICKLE_PAUSE_MILLIS);
            }
        } catch (IOException closed) {
            // the target closed the connection while it trickled, as it should
        }
    }

    static byte[] icReq() {
        byte[] b = new byte[128];
        b[2] = (byte) 128;
        b[4] = (byte) 128;
        return b;
    }

    @Test
    void anIdleConnectionIsClosed() throws IOException {
        try (NvmeTcpTestHost h = new NvmeTcpTestHost(target.address)) {
            assertTrue(h.closedByTarget());
        }
    }

    @Test
    void aTrickledIcReqDoesNotPostponeTheDeadline() throws Exception {
        try (NvmeTcpTestHost h = new NvmeTcpTestHost(target.address)) {
            trickle(h, icReq(), 1); // 128 bytes: about 2.5 s
            assertTrue(h.closedByTarget(), "closed instead of answered with an ICResp");
        }
    }

    @Test
    void aTrickledConnectDoesNotPostponeTheDeadline() throws Exception {
        try (NvmeTcpTestHost h = new NvmeTcpTestHost(target.address)) {
            h.initialize(false, false);
            byte[] connect = h.capsule(NvmeTcpTestHost.connectSqe(1, 0, 31, 0),
                    NvmeTcpTestHost.connectData(0xFFFF, LimitedTarget.NQN, NvmeTcpTestHost.HOST_NQN));
            trickle(h, connect, 16); // 1096 bytes: about 1.4 s
            assertTrue(h.closedByTarget(), "closed instead of answered with a CapsuleResp");
        }
    }

    @Test
    void aConnectionThatConnectedInTimeOutlivesTheDeadline() throws Exception {
        try (NvmeTcpTestHost h = new NvmeTcpTestHost(target.address)) {
            h.connectAdmin(LimitedTarget.NQN, 0);
            Thread.sleep(3 * DEADLINE.toMillis());
            NvmeTcpTestHost.Completion cap = h.execute(NvmeTcpTestHost.propertySqe(h.nextCid(), true, 1, 0, 0),
                    null, null);
            assertEquals(0, cap.status(), "Property Get CAP after the deadline");
        }
    }
}
