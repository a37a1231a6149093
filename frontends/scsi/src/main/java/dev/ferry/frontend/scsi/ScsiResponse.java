package dev.ferry.frontend.scsi;

import io.netty.buffer.ByteBuf;

/**
 * The outcome of a {@link ScsiTask}, handed to {@link ScsiTask#complete}.
 *
 * <p>The command set reuses one response object per command object, so a response is valid only during the
 * {@code complete} call it is passed to: a transport reads what it needs there and keeps at most {@link #dataIn()}
 * (whose ownership it takes), never the response itself. That keeps the steady path free of allocation.
 */
public final class ScsiResponse {
    public static final int GOOD = 0x00;
    public static final int CHECK_CONDITION = 0x02;
    public static final int CONDITION_MET = 0x04;
    public static final int BUSY = 0x08;
    public static final int RESERVATION_CONFLICT = 0x18;
    public static final int TASK_SET_FULL = 0x28;
    public static final int TASK_ABORTED = 0x40;

    private int status;
    private byte[] sense;
    private ByteBuf dataIn;
    private int residual;

    /** A response of its own, for transports and tests that build one (the command set reuses its own). */
    public ScsiResponse(int status, byte[] sense, ByteBuf dataIn, int residual) {
        set(status, sense, dataIn, residual);
    }

    ScsiResponse set(int status, byte[] sense, ByteBuf dataIn, int residual) {
        this.status = status;
        this.sense = sense;
        this.dataIn = dataIn;
        this.residual = residual;
        return this;
    }

    /** SAM-5 5.3 status byte (GOOD 00h, CHECK CONDITION 02h, BUSY 08h, RESERVATION CONFLICT 18h, ...). */
    public int status() {
        return status;
    }

    /** Fixed-format sense data (SPC-4 4.5.3) when the status is CHECK CONDITION, else null. */
    public byte[] sense() {
        return sense;
    }

    /**
     * Data-In to send (at most expectedTransferLength bytes: the command set truncates), or null; ownership passes
     * to the transport, which releases it after sending.
     */
    public ByteBuf dataIn() {
        return dataIn;
    }

    /**
     * SAM residual: positive = underflow (fewer bytes moved than expected), negative = overflow (the command wanted
     * more than the expected length), 0 = exact.
     */
    public int residual() {
        return residual;
    }

    @Override
    public String toString() {
        return "ScsiResponse[status=0x" + Integer.toHexString(status) + (sense != null ? ", sense" : "")
                + (dataIn != null ? ", dataIn=" + dataIn.readableBytes() : "") + ", residual=" + residual + "]";
    }
}
