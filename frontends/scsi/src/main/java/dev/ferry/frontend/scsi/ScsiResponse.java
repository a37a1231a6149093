package dev.ferry.frontend.scsi;

import io.netty.buffer.ByteBuf;

/**
 * The outcome of a {@link ScsiTask}.
 *
 * @param status   SAM-5 5.3 status byte (GOOD 00h, CHECK CONDITION 02h, BUSY 08h, RESERVATION CONFLICT 18h,
 *                 TASK SET FULL 28h, TASK ABORTED 40h)
 * @param sense    fixed-format sense data (SPC-4 4.5.3) when status is CHECK CONDITION, else null
 * @param dataIn   Data-In to send (at most expectedTransferLength bytes; the command set truncates), or null;
 *                 the transport releases it after sending
 * @param residual SAM residual: positive = underflow (fewer bytes moved than expected), negative = overflow
 *                 (the command wanted more than the expected length), 0 = exact
 */
public record ScsiResponse(int status, byte[] sense, ByteBuf dataIn, int residual) {
    public static final int GOOD = 0x00;
    public static final int CHECK_CONDITION = 0x02;
    public static final int CONDITION_MET = 0x04;
    public static final int BUSY = 0x08;
    public static final int RESERVATION_CONFLICT = 0x18;
    public static final int TASK_SET_FULL = 0x28;
    public static final int TASK_ABORTED = 0x40;
}
