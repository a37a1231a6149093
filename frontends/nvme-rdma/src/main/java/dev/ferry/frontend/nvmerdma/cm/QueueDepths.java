package dev.ferry.frontend.nvmerdma.cm;

/**
 * The depths negotiated at connect for one queue pair.
 *
 * @param qid            the NVMe queue id the host asked for
 * @param cntlid         the controller id the host named (I/O queues), to match the Fabrics Connect
 * @param commandSlots   HSQSIZE + 1: receives posted for command capsules, returned as CRQSIZE in the accept
 * @param hostReceives   HRQSIZE: receives the host posts for response capsules
 */
public record QueueDepths(int qid, int cntlid, int commandSlots, int hostReceives) {
    /** Send work requests per command: at most one RDMA READ or WRITE (one keyed descriptor) and one SEND. */
    public static final int SEND_WORK_REQUESTS_PER_COMMAND = 2;

    /** Send queue depth of the QP, and the flow-control limit on outstanding send work requests. */
    public int sendQueueDepth() {
        return commandSlots * SEND_WORK_REQUESTS_PER_COMMAND;
    }

    /** The accept private data for these depths. */
    public RdmaCmAcceptPrivateData accept() {
        return new RdmaCmAcceptPrivateData(RdmaCmConnectPrivateData.RECFMT_1_0, commandSlots);
    }
}
