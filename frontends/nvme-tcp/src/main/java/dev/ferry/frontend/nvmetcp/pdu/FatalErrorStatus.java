package dev.ferry.frontend.nvmetcp.pdu;

/** Fatal Error Status values of a TermReq (NVMe/TCP 1.0 3.6.2.5 Figure 23). */
public final class FatalErrorStatus {
    private FatalErrorStatus() {
    }

    /** FEI is the byte offset of the offending field. */
    public static final int INVALID_HEADER_FIELD = 0x01;
    public static final int PDU_SEQUENCE_ERROR = 0x02;
    public static final int HEADER_DIGEST_ERROR = 0x03;
    public static final int DATA_TRANSFER_OUT_OF_RANGE = 0x04;
    /** Controller side: an H2CData PDU larger than MAXH2CDATA. */
    public static final int DATA_TRANSFER_LIMIT_EXCEEDED = 0x05;
    /** FEI is the byte offset of the unsupported field. */
    public static final int UNSUPPORTED_PARAMETER = 0x06;
}
