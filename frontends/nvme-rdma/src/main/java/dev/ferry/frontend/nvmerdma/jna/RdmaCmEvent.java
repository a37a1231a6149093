package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Pointer;

/**
 * {@code struct rdma_cm_event}:
 * <pre>
 * 0  struct rdma_cm_id *id          8  struct rdma_cm_id *listen_id
 * 16 enum rdma_cm_event_type event  20 int status
 * 24 union { struct rdma_conn_param conn; struct rdma_ud_param ud; } param
 * </pre>
 */
public final class RdmaCmEvent {
    static final int ID = 0;
    static final int LISTEN_ID = 8;
    static final int EVENT = 16;
    static final int STATUS = 20;
    static final int PARAM = 24;

    /** {@code enum rdma_cm_event_type}: the ones a listener sees. */
    public static final int CONNECT_REQUEST = 4;
    public static final int CONNECT_ERROR = 6;
    public static final int UNREACHABLE = 7;
    public static final int REJECTED = 8;
    public static final int ESTABLISHED = 9;
    public static final int DISCONNECTED = 10;
    public static final int DEVICE_REMOVAL = 11;
    public static final int TIMEWAIT_EXIT = 15;

    private RdmaCmEvent() {
    }

    public static Pointer id(Pointer event) { return event.getPointer(ID); }
    public static Pointer listenId(Pointer event) { return event.getPointer(LISTEN_ID); }
    public static int type(Pointer event) { return event.getInt(EVENT); }
    public static int status(Pointer event) { return event.getInt(STATUS); }
    /** The connection parameters ({@link RdmaConnParam}) of a CONNECT_REQUEST or ESTABLISHED event. */
    public static Pointer connParam(Pointer event) { return event.share(PARAM); }

    /** A copy of the connect private data: the event (and its data) is freed when acknowledged. */
    public static byte[] privateData(Pointer event) {
        Pointer param = connParam(event);
        Pointer data = RdmaConnParam.privateData(param);
        return data == null ? new byte[0] : data.getByteArray(0, RdmaConnParam.privateDataLength(param));
    }
}
