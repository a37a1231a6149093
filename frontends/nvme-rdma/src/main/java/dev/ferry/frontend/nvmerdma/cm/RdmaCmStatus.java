package dev.ferry.frontend.nvmerdma.cm;

/**
 * RDMA_CM reject status codes (NVMe-oF RDMA transport binding, RDMA_CM_REJECT private data STS; Linux
 * {@code enum nvme_rdma_cm_status}). A connect request is refused with one of these instead of being accepted.
 */
public final class RdmaCmStatus {
    private RdmaCmStatus() {
    }

    /** The private data is shorter than the 32-byte connect request. */
    public static final int INVALID_PRIVATE_DATA_LENGTH = 0x01;
    public static final int INVALID_RECFMT = 0x02;
    public static final int INVALID_QID = 0x03;
    public static final int INVALID_HSQSIZE = 0x04;
    public static final int INVALID_HRQSIZE = 0x05;
    public static final int NO_RESOURCES = 0x06;
    public static final int INVALID_IRD = 0x07;
    public static final int INVALID_ORD = 0x08;
    public static final int INVALID_CNTLID = 0x09;
}
