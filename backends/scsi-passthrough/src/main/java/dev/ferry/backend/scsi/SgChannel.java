package dev.ferry.backend.scsi;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * One worker thread's means of talking to a device through SG_IO: the {@link SgIo} header, a CDB array, and a
 * bounce buffer for data that is not in native memory. Allocated once per worker and reused for every command.
 */
public final class SgChannel {
    /** Bounce buffer size; transfers that need bouncing go in pieces of at most this. */
    public static final int BOUNCE_BYTES = 1 << 20;
    /** Retries of a command that met a UNIT ATTENTION (power on, reset, parameters changed): SAM-5 5.14. */
    private static final int UNIT_ATTENTION_RETRIES = 3;

    public final byte[] cdb = new byte[Cdb16.LENGTH];
    private final SgIo io = new SgIo();
    private final Memory bounceMemory = new Memory(BOUNCE_BYTES + 4096L);
    /** Page-aligned: /dev/sdX maps user pages for DMA, /dev/sgN copies; aligned memory suits both. */
    public final long bounce = Pointer.nativeValue(bounceMemory.align(4096));
    private final ByteBuffer view = bounceMemory.align(4096).getByteBuffer(0, BOUNCE_BYTES);
    private int status;
    private int hostStatus;
    private int driverStatus;
    private int resid;
    private Sense sense;

    /**
     * Runs {@code cdb[0..cdbLength)}, retrying a few times on UNIT ATTENTION. Errors of the ioctl itself
     * (EBADF, ENODEV after hot removal, ...) propagate as {@link LastErrorException}.
     *
     * @return the SCSI status byte
     */
    public int run(int fd, int cdbLength, int direction, long data, int dataLength, int timeoutMillis) {
        for (int attempt = 0; ; attempt++) {
            SgIoHeader h = io.execute(fd, cdb, cdbLength, direction, data, dataLength, timeoutMillis);
            status = h.status & 0xff;
            hostStatus = h.host_status & 0xffff;
            driverStatus = h.driver_status & 0xffff;
            resid = h.resid;
            sense = SenseDecoder.decode(io.sense(), io.senseLength());
            boolean unitAttention = status == ScsiOutcome.CHECK_CONDITION && sense != null
                    && sense.key() == Sense.UNIT_ATTENTION;
            if (!unitAttention || attempt == UNIT_ATTENTION_RETRIES) {
                return status;
            }
        }
    }

    public int status() {
        return status;
    }

    public int hostStatus() {
        return hostStatus;
    }

    public int driverStatus() {
        return driverStatus;
    }

    /** Bytes of the data transfer that did not happen. */
    public int resid() {
        return resid;
    }

    /** Sense data of the last command, null when there was none. */
    public Sense sense() {
        return sense;
    }

    /** The bounce buffer as a ByteBuffer over {@code [0, n)}. */
    public ByteBuffer view(int n) {
        view.clear().limit(n);
        return view;
    }

    /** Copies the first {@code n} bounce bytes out, for small responses (INQUIRY, READ CAPACITY). */
    public byte[] bounceBytes(int n) {
        byte[] b = new byte[n];
        view(n).get(b);
        return b;
    }
}
