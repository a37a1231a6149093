package dev.ferry.frontend.iscsi.pdu;

import io.netty.buffer.Unpooled;

/** Reject (RFC 7143 11.17): carries the complete header of the rejected PDU as its data segment. */
public final class RejectPdu {
    /** 11.17.1 Reason codes. */
    public static final int DATA_DIGEST_ERROR = 0x02;
    public static final int SNACK_REJECT = 0x03;
    public static final int PROTOCOL_ERROR = 0x04;
    public static final int COMMAND_NOT_SUPPORTED = 0x05;
    public static final int IMMEDIATE_COMMAND_REJECT = 0x06;
    public static final int TASK_IN_PROGRESS = 0x07;
    public static final int INVALID_DATA_ACK = 0x08;
    public static final int INVALID_PDU_FIELD = 0x09;
    public static final int LONG_OP_REJECT = 0x0a;
    public static final int WAITING_FOR_LOGOUT = 0x0c;
    public static final int OFFSET_REASON = 2;
    public static final int OFFSET_DATASN = 36;

    private RejectPdu() {
    }

    public static int reason(IscsiPdu p) { return p.u8(OFFSET_REASON); }

    /** A Reject of the PDU whose 48-byte header is {@code rejectedBhs}. */
    public static IscsiPdu create(int reason, byte[] rejectedBhs) {
        IscsiPdu r = IscsiPdu.create(Opcode.REJECT).flags(0x80).put8(OFFSET_REASON, reason).itt(IscsiPdu.RESERVED_TAG);
        return r.data(Unpooled.wrappedBuffer(rejectedBhs.clone()));
    }
}
