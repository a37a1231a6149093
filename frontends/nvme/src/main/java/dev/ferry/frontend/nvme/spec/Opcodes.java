package dev.ferry.frontend.nvme.spec;

/** Opcodes and Fabrics command types (NVMe Base 2.0 5 Figure 138, 6 Figure 474; NVM Command Set 1.0 3). */
public final class Opcodes {
    private Opcodes() {
    }

    // Admin command set (Base 2.0 5 Figure 138)
    public static final int GET_LOG_PAGE = 0x02;
    public static final int IDENTIFY = 0x06;
    public static final int ABORT = 0x08;
    public static final int SET_FEATURES = 0x09;
    public static final int GET_FEATURES = 0x0A;
    public static final int ASYNC_EVENT_REQUEST = 0x0C;
    public static final int KEEP_ALIVE = 0x18;
    public static final int FABRICS = 0x7F;

    // NVM command set I/O commands (NVM Command Set 1.0 3 Figure 13)
    public static final int FLUSH = 0x00;
    public static final int WRITE = 0x01;
    public static final int READ = 0x02;
    public static final int COMPARE = 0x05;
    public static final int WRITE_ZEROES = 0x08;
    public static final int DATASET_MANAGEMENT = 0x09;
    // Reservation commands (Base 2.0 7.5-7.8, I/O commands of every command set)
    public static final int RESERVATION_REGISTER = 0x0D;
    public static final int RESERVATION_REPORT = 0x0E;
    public static final int RESERVATION_ACQUIRE = 0x11;
    public static final int RESERVATION_RELEASE = 0x15;
    /** NVM Command Set 1.0 3.3.1 Copy. */
    public static final int COPY = 0x19;

    // Fabrics command types, SQE byte 4 (Base 2.0 6 Figure 474)
    public static final int FCTYPE_PROPERTY_SET = 0x00;
    public static final int FCTYPE_CONNECT = 0x01;
    public static final int FCTYPE_PROPERTY_GET = 0x04;
    public static final int FCTYPE_DISCONNECT = 0x08;
}
