package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Pointer;

/**
 * {@code struct rdma_conn_param}, 24 bytes:
 * <pre>
 * 0  const void *private_data    8  uint8_t private_data_len    9  uint8_t responder_resources
 * 10 uint8_t initiator_depth      11 uint8_t flow_control        12 uint8_t retry_count
 * 13 uint8_t rnr_retry_count      14 uint8_t srq                 16 uint32_t qp_num
 * </pre>
 */
public final class RdmaConnParam {
    public static final int SIZE = 24;
    static final int PRIVATE_DATA = 0;
    static final int PRIVATE_DATA_LEN = 8;
    static final int RESPONDER_RESOURCES = 9;
    static final int INITIATOR_DEPTH = 10;
    static final int FLOW_CONTROL = 11;
    static final int RNR_RETRY_COUNT = 13;
    /** 7 = retry receiver-not-ready forever, as nvmet does. */
    static final int RNR_RETRY_INFINITE = 7;

    private RdmaConnParam() {
    }

    /**
     * The accept parameters: our private data, and the RDMA READ depths (IRD/ORD) granted, at most what the host
     * asked and the device allows.
     */
    public static void writeAccept(Pointer param, Pointer privateData, int privateDataLength,
            int responderResources, int initiatorDepth) {
        param.clear(SIZE);
        param.setPointer(PRIVATE_DATA, privateData);
        param.setByte(PRIVATE_DATA_LEN, (byte) privateDataLength);
        param.setByte(RESPONDER_RESOURCES, (byte) responderResources);
        param.setByte(INITIATOR_DEPTH, (byte) initiatorDepth);
        param.setByte(FLOW_CONTROL, (byte) 1);
        param.setByte(RNR_RETRY_COUNT, (byte) RNR_RETRY_INFINITE);
    }

    public static Pointer privateData(Pointer param) { return param.getPointer(PRIVATE_DATA); }
    public static int privateDataLength(Pointer param) { return Byte.toUnsignedInt(param.getByte(PRIVATE_DATA_LEN)); }
    public static int responderResources(Pointer param) { return Byte.toUnsignedInt(param.getByte(RESPONDER_RESOURCES)); }
    public static int initiatorDepth(Pointer param) { return Byte.toUnsignedInt(param.getByte(INITIATOR_DEPTH)); }
}
