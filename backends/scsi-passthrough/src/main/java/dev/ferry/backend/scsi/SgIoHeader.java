package dev.ferry.backend.scsi;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/** struct sg_io_hdr from scsi/sg.h (interface_id 'S'), field for field. */
@Structure.FieldOrder({"interface_id", "dxfer_direction", "cmd_len", "mx_sb_len", "iovec_count", "dxfer_len",
        "dxferp", "cmdp", "sbp", "timeout", "flags", "pack_id", "usr_ptr", "status", "masked_status", "msg_status",
        "sb_len_wr", "host_status", "driver_status", "resid", "duration", "info"})
public final class SgIoHeader extends Structure {
    /** interface_id: 'S' for SCSI generic version 3. */
    public static final int INTERFACE_ID = 'S';
    /** dxfer_direction values. */
    public static final int SG_DXFER_NONE = -1;
    public static final int SG_DXFER_TO_DEV = -2;
    public static final int SG_DXFER_FROM_DEV = -3;
    /** info & SG_INFO_OK_MASK: SG_INFO_CHECK means status, host or driver reported something. */
    public static final int SG_INFO_CHECK = 0x1;

    public int interface_id;
    public int dxfer_direction;
    public byte cmd_len;
    public byte mx_sb_len;
    public short iovec_count;
    public int dxfer_len;
    public Pointer dxferp;
    public Pointer cmdp;
    public Pointer sbp;
    public int timeout;
    public int flags;
    public int pack_id;
    public Pointer usr_ptr;
    public byte status;
    public byte masked_status;
    public byte msg_status;
    public byte sb_len_wr;
    public short host_status;
    public short driver_status;
    public int resid;
    public int duration;
    public int info;
}
