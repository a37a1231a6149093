package dev.ferry.backend.block;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * io_uring counts as available only where the kernel offers IORING_OP_READ and IORING_OP_WRITE (Linux 5.6): on
 * 5.1-5.5 a ring can be made but every read and write on it would fail, so the backend must stay blocking there.
 */
class IoUringProbeTest {

    /** A struct io_uring_probe as the kernel fills it: ops up to {@code lastOp}, the given ones supported. */
    private static ByteBuffer probe(int lastOp, int... supportedOps) {
        ByteBuffer b = ByteBuffer.allocate(IoUring.PROBE_HEADER_BYTES + IoUring.PROBE_OP_BYTES * 64)
                .order(ByteOrder.nativeOrder());
        b.put(0, (byte) lastOp).put(1, (byte) (lastOp + 1));
        for (int op = 0; op <= lastOp; op++) {
            b.put(IoUring.PROBE_HEADER_BYTES + IoUring.PROBE_OP_BYTES * op, (byte) op);
        }
        for (int op : supportedOps) {
            b.putShort(IoUring.PROBE_HEADER_BYTES + IoUring.PROBE_OP_BYTES * op + 2, (short) 1);
        }
        return b;
    }

    @Test
    void readAndWriteMustBeListedAndSupported() {
        ByteBuffer modern = probe(40, IoUring.IORING_OP_READ, IoUring.IORING_OP_WRITE);
        assertTrue(IoUring.supported(modern, IoUring.IORING_OP_READ));
        assertTrue(IoUring.supported(modern, IoUring.IORING_OP_WRITE));

        ByteBuffer tooOld = probe(IoUring.IORING_OP_READ - 1); // the kernel's last op is below READ
        assertFalse(IoUring.supported(tooOld, IoUring.IORING_OP_READ));

        ByteBuffer filtered = probe(40, IoUring.IORING_OP_READ); // listed, but WRITE not supported
        assertFalse(IoUring.supported(filtered, IoUring.IORING_OP_WRITE));
    }

    /** A wrong offset in the probe would turn io_uring off silently everywhere: on 5.6+ it must be on. */
    @Test
    void aModernKernelThatAllowsRingsOffersReadAndWrite() {
        String[] version = System.getProperty("os.version").split("[.-]");
        boolean modern = Integer.parseInt(version[0]) > 5
                || (Integer.parseInt(version[0]) == 5 && Integer.parseInt(version[1]) >= 6);
        IoUring ring = IoUring.tryCreate(2);
        assumeTrue(modern && ring != null, "SKIPPED: kernel " + System.getProperty("os.version")
                + " or its seccomp profile gives no io_uring");
        ring.close();
        assertTrue(IoUring.available(), "IORING_REGISTER_PROBE read as READ/WRITE unsupported");
    }
}
