package dev.ferry.frontend.nvmerdma;

/**
 * Life of one NVMe/RDMA queue pair (one RDMA_CM connection):
 * <pre>
 * CONNECT_REQUESTED --accept, ESTABLISHED event--> ESTABLISHED --DISCONNECTED/TIMEWAIT_EXIT, error, close()-->
 * DISCONNECTING --last posted work request completed or flushed--> CLOSED
 * CONNECT_REQUESTED --reject, or CM error before ESTABLISHED--> DISCONNECTING/CLOSED
 * </pre>
 */
public enum RdmaQueueState {
    /** Private data checked, receives posted and the accept sent; waiting for RDMA_CM_EVENT_ESTABLISHED. */
    CONNECT_REQUESTED,
    /** Capsules flow. */
    ESTABLISHED,
    /** No new work; waiting for posted work requests to complete or flush before freeing anything. */
    DISCONNECTING,
    /** Every buffer released, the controller model told, the QP destroyed. */
    CLOSED
}
