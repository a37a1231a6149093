package dev.ferry.frontend.nvme;

/** The fixed limits this controller implementation advertises, in one place so that every structure agrees. */
public final class Limits {
    private Limits() {
    }

    /** CAP.MQES (0's based): 128-entry queues, the Linux host's default I/O queue depth. */
    public static final int MAX_QUEUE_ENTRIES = 128;
    /** I/O queues per controller (Number of Queues feature, Connect QID bound). */
    public static final int MAX_IO_QUEUES = 64;
    /** Identify MDTS as a power of two of CAP.MPSMIN (4 KiB): 2^7 * 4 KiB = 512 KiB per command. */
    public static final int MDTS = 7;
    public static final int MEMORY_PAGE_SIZE = 4096;
    public static final int MAX_DATA_TRANSFER = MEMORY_PAGE_SIZE << MDTS;
    /** Fabrics/Admin capsules must accept 8 KiB of in-capsule data (TCP 1.0 3.3.1). */
    public static final int ADMIN_IN_CAPSULE_DATA = 8192;
    /** Outstanding Asynchronous Event Requests (AERL is 0's based). */
    public static final int ASYNC_EVENT_LIMIT = 4;
    /** Keep Alive Support granularity in 100 ms units (KAS): one second, like nvmet. */
    public static final int KEEP_ALIVE_GRANULARITY_100MS = 10;
    /** KATO a discovery controller uses when the host asks for none: two minutes, as nvmet. */
    public static final long DISCOVERY_KEEP_ALIVE_MILLIS = 120_000;
    /** Admin submission queue entries: advertised in discovery (ASQSZ, at least 32) and the admin Connect's bound. */
    public static final int ADMIN_QUEUE_ENTRIES = 32;
    /** Dataset Management ranges per command (NR is 0's based, 8 bits). */
    public static final int MAX_DSM_RANGES = 256;
    public static final int DSM_RANGE_SIZE = 16;
}
