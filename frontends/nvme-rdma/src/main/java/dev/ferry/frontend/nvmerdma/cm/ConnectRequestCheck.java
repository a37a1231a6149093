package dev.ferry.frontend.nvmerdma.cm;

import dev.ferry.frontend.nvme.Limits;

/**
 * Decides an RDMA_CM connect request from its private data, as nvmet's {@code nvmet_rdma_parse_cm_connect_req}
 * does: either the queue depths to accept with, or the {@link RdmaCmStatus} to reject with.
 */
public final class ConnectRequestCheck {
    /** Admin submission queue depth limit (Linux NVME_AQ_DEPTH; Limits.ADMIN_QUEUE_ENTRIES is the same 32). */
    static final int MAX_ADMIN_QUEUE_ENTRIES = Limits.ADMIN_QUEUE_ENTRIES;

    /** The outcome: {@code rejectStatus} 0 means accept with {@code depths}. */
    public record Result(int rejectStatus, QueueDepths depths) {
        static Result reject(int status) {
            return new Result(status, null);
        }

        public boolean accepted() {
            return rejectStatus == 0;
        }
    }

    private ConnectRequestCheck() {
    }

    public static Result check(byte[] privateData) {
        if (privateData == null || privateData.length < RdmaCmConnectPrivateData.SIZE) {
            return Result.reject(RdmaCmStatus.INVALID_PRIVATE_DATA_LENGTH);
        }
        RdmaCmConnectPrivateData req = RdmaCmConnectPrivateData.parse(privateData);
        if (req.recfmt() != RdmaCmConnectPrivateData.RECFMT_1_0) {
            return Result.reject(RdmaCmStatus.INVALID_RECFMT);
        }
        if (req.qid() > Limits.MAX_IO_QUEUES) {
            return Result.reject(RdmaCmStatus.INVALID_QID);
        }
        int entries = req.submissionQueueEntries();
        int max = req.qid() == 0 ? MAX_ADMIN_QUEUE_ENTRIES : Limits.MAX_QUEUE_ENTRIES;
        if (entries < 2 || entries > max) {
            return Result.reject(RdmaCmStatus.INVALID_HSQSIZE); // a queue has at least 2 entries (SQSIZE >= 1)
        }
        // Every command ends in one response SEND: a host posting fewer receives than it may submit commands
        // would stall on receiver-not-ready retries.
        if (req.hrqsize() < entries) {
            return Result.reject(RdmaCmStatus.INVALID_HRQSIZE);
        }
        return new Result(0, new QueueDepths(req.qid(), req.cntlid(), entries, req.hrqsize()));
    }
}
