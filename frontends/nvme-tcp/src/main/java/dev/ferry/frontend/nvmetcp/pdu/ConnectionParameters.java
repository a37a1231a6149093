package dev.ferry.frontend.nvmetcp.pdu;

/**
 * What ICReq/ICResp negotiated for one connection (NVMe/TCP 1.0 3.6.2.2/3.6.2.3), shared by the decoder, the
 * encoder and the queue handler of that connection's pipeline (all on its event loop).
 */
public final class ConnectionParameters {
    /** Largest H2CData payload this controller accepts, advertised as MAXH2CDATA (dword multiple, >= 4096). */
    public static final int MAX_H2C_DATA = 128 * 1024;
    /** In-capsule data accepted on any queue: the 8 KiB admin minimum, also used for I/O (IOCCSZ). */
    public static final int MAX_IN_CAPSULE_DATA = 8192;
    /** Controller PDU data alignment we ask for (CPDA, 0's based dwords): none beyond a dword. */
    public static final int CPDA = 0;

    private boolean initialized;
    private boolean headerDigest;
    private boolean dataDigest;
    private int hostPduDataAlignment = 4;

    public boolean initialized() { return initialized; }
    public boolean headerDigest() { return headerDigest; }
    public boolean dataDigest() { return dataDigest; }
    /** Alignment of PDU data the controller sends: (HPDA + 1) * 4 bytes. */
    public int hostPduDataAlignment() { return hostPduDataAlignment; }
    public void negotiated(boolean headerDigest, boolean dataDigest, int hpda) {
        this.headerDigest = headerDigest;
        this.dataDigest = dataDigest;
        this.hostPduDataAlignment = (hpda + 1) * 4;
        this.initialized = true;
    }
}
