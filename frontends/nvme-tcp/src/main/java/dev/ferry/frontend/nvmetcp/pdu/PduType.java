package dev.ferry.frontend.nvmetcp.pdu;

/**
 * NVMe/TCP PDU types and common header layout (NVMe/TCP Transport 1.0 Figure 10, 3.6.2.1 Figure 19). Bit 0 of the
 * type is the direction: 0 host to controller, 1 controller to host. All fields are little-endian.
 */
public final class PduType {
    private PduType() {
    }

    public static final int IC_REQ = 0x00;
    public static final int IC_RESP = 0x01;
    public static final int H2C_TERM_REQ = 0x02;
    public static final int C2H_TERM_REQ = 0x03;
    public static final int CAPSULE_CMD = 0x04;
    public static final int CAPSULE_RESP = 0x05;
    public static final int H2C_DATA = 0x06;
    public static final int C2H_DATA = 0x07;
    public static final int R2T = 0x09;

    // Common header (CH) byte offsets
    public static final int CH_TYPE = 0;
    public static final int CH_FLAGS = 1;
    public static final int CH_HLEN = 2;
    public static final int CH_PDO = 3;
    public static final int CH_PLEN = 4;
    public static final int CH_SIZE = 8;

    // CH flags (per-PDU figures 24-28)
    public static final int FLAG_HDGSTF = 1;
    public static final int FLAG_DDGSTF = 1 << 1;
    /** H2CData/C2HData: last PDU of the R2T / of the command's data. */
    public static final int FLAG_LAST_PDU = 1 << 2;
    /** C2HData: the command completed successfully, no CapsuleResp follows (3.6.2.9). */
    public static final int FLAG_SUCCESS = 1 << 3;

    // Header lengths (HLEN) per type
    public static final int IC_HLEN = 128;
    public static final int TERM_REQ_HLEN = 24;
    public static final int CAPSULE_CMD_HLEN = 72;
    public static final int CAPSULE_RESP_HLEN = 24;
    public static final int DATA_HLEN = 24;
    public static final int R2T_HLEN = 24;
    /** TermReq: at most 128 bytes of offending header follow, so PLEN is 24-152 (3.6.2.4). */
    public static final int TERM_REQ_MAX_DATA = 128;
    public static final int DIGEST_SIZE = 4;

    // ICReq/ICResp PSH (3.6.2.2 Figure 20, 3.6.2.3 Figure 21)
    public static final int IC_PFV = 8;
    public static final int IC_PDA = 10;
    public static final int IC_DGST = 11;
    public static final int IC_MAXR2T_OR_MAXH2CDATA = 12;
    public static final int DGST_HDGST_ENABLE = 1;
    public static final int DGST_DDGST_ENABLE = 1 << 1;

    // TermReq PSH (3.6.2.4 Figure 22, 3.6.2.5 Figure 23)
    public static final int TERM_FES = 8;
    public static final int TERM_FEI = 10;

    // Data and R2T PSH (3.6.2.8 Figure 26, 3.6.2.9 Figure 27, 3.6.2.10 Figure 28)
    public static final int DATA_CCCID = 8;
    public static final int DATA_TTAG = 10;
    public static final int DATA_DATAO = 12;
    public static final int DATA_DATAL = 16;
}
