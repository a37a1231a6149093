package dev.ferry.frontend.nvme.auth;

import dev.ferry.frontend.nvme.spec.Status;

/**
 * Constants of NVMe in-band authentication (NVMe Base 2.0 8.13 and TP 8006; the Fabrics commands Authentication
 * Send and Receive, 6.1 and 6.2). Byte offsets are into the SQE or into a message, as named.
 */
public final class AuthSpec {
    private AuthSpec() {
    }

    // Fabrics command types (Figure 474)
    public static final int FCTYPE_AUTHENTICATION_SEND = 0x05;
    public static final int FCTYPE_AUTHENTICATION_RECEIVE = 0x06;

    // Authentication Send/Receive SQE (6.1, 6.2): SPSP0, SPSP1, SECP bytes; TL (Send) or AL (Receive) dword
    static final int SQE_SPSP0 = 41;
    static final int SQE_SPSP1 = 42;
    static final int SQE_SECP = 43;
    static final int SQE_LENGTH = 44;
    /** SECP E9h: the NVMe security protocol (SPC-5 assigns it to NVMe), SPSP 0101h: DH-HMAC-CHAP (8.13.5). */
    static final int SECP_NVME = 0xE9;
    static final int SPSP_DHCHAP = 0x01;

    /**
     * Connect response DW0 bit 17, AUTHREQ.ATR: the host must authenticate this queue (Base 2.0 6.3). Bit 18, ASCR
     * (a secure channel after authentication), stays 0.
     */
    public static final long CONNECT_AUTHREQ_ATR = 1L << 17;
    /** Command-specific status 91h, Authentication Required (Figure 101). */
    public static final int AUTHENTICATION_REQUIRED = Status.of(Status.SCT_COMMAND_SPECIFIC, 0x91, true);

    // Message header (every message): AUTH-Type, AUTH-ID, T_ID (Base 2.0 8.13)
    static final int AUTH_TYPE = 0;
    static final int AUTH_ID = 1;
    static final int T_ID = 4;
    static final int TYPE_COMMON = 0x00;
    static final int TYPE_DHCHAP = 0x01;
    static final int ID_NEGOTIATE = 0x00;
    static final int ID_CHALLENGE = 0x01;
    static final int ID_REPLY = 0x02;
    static final int ID_SUCCESS1 = 0x03;
    static final int ID_SUCCESS2 = 0x04;
    static final int ID_FAILURE2 = 0xF0;
    static final int ID_FAILURE1 = 0xF1;
    /** AUTH_Negotiate protocol descriptor AUTHID 01h: DH-HMAC-CHAP. */
    static final int AUTHID_DHCHAP = 0x01;

    // AUTH_Failure reason code and explanations (Base 2.0 8.13)
    static final int REASON_FAILED = 0x01;
    public static final int EXPLANATION_FAILED = 0x01;
    public static final int EXPLANATION_PROTOCOL_UNUSABLE = 0x02;
    public static final int EXPLANATION_CONCAT_MISMATCH = 0x03;
    public static final int EXPLANATION_HASH_UNUSABLE = 0x04;
    public static final int EXPLANATION_DHGROUP_UNUSABLE = 0x05;
    public static final int EXPLANATION_INCORRECT_PAYLOAD = 0x06;
    public static final int EXPLANATION_INCORRECT_PROTOCOL_MESSAGE = 0x07;

    /**
     * The largest message a host sends: a DH-HMAC-CHAP_Reply with SHA-512 and ffdhe8192 (16 + 2 * 64 + 1024
     * bytes). Authentication Send's TL is bounded by it before any data is fetched.
     */
    public static final int MAX_HOST_MESSAGE = 16 + 2 * 64 + 1024;
    /** One authentication transaction must end this long after it began (Connect or a new AUTH_Negotiate). */
    public static final long TRANSACTION_TIMEOUT_MILLIS = 30_000;
}
