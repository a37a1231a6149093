package dev.ferry.backend.scsi;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.ferry.backend.block.LibC;

/**
 * One worker's SG_IO channel (scsi/sg.h): a reusable sg_io_hdr with its CDB and sense buffers. Not thread-safe;
 * each worker thread owns one. After {@link #execute} the header holds status, host/driver status and the sense
 * data length, and {@link #sense()} the sense bytes.
 */
public final class SgIo {
    /** scsi/sg.h: SG_IO = 0x2285. */
    public static final long SG_IO = 0x2285;
    /** SPC-4 4.5.1: sense data is at most 252 bytes. */
    public static final int SENSE_BYTES = 252;

    private final SgIoHeader hdr = new SgIoHeader();
    private final Memory cdb = new Memory(16);
    private final Memory senseBuffer = new Memory(SENSE_BYTES);
    private final byte[] sense = new byte[SENSE_BYTES];

    /**
     * Issues one command and waits for it.
     *
     * @param command   CDB bytes; {@code length} of them are sent
     * @param direction one of {@link SgIoHeader}'s SG_DXFER_* values
     * @param data      address of the data buffer (0 without data)
     * @return the header with the outcome
     */
    public SgIoHeader execute(int fd, byte[] command, int length, int direction, long data, int dataLength,
            int timeoutMillis) {
        cdb.write(0, command, 0, length);
        hdr.interface_id = SgIoHeader.INTERFACE_ID;
        hdr.dxfer_direction = direction;
        hdr.cmd_len = (byte) length;
        hdr.mx_sb_len = (byte) SENSE_BYTES;
        hdr.iovec_count = 0;
        hdr.dxfer_len = dataLength;
        hdr.dxferp = data == 0 ? null : new Pointer(data);
        hdr.cmdp = cdb;
        hdr.sbp = senseBuffer;
        hdr.timeout = timeoutMillis;
        hdr.flags = 0;
        hdr.write();
        LibC.ioctl(fd, SG_IO, Pointer.nativeValue(hdr.getPointer()));
        hdr.read();
        int n = senseLength();
        if (n > 0) {
            senseBuffer.read(0, sense, 0, n);
        }
        return hdr;
    }

    public int senseLength() {
        return Math.min(hdr.sb_len_wr & 0xff, SENSE_BYTES);
    }

    /** The sense bytes of the last command; {@link #senseLength()} of them are valid. */
    public byte[] sense() {
        return sense;
    }
}
