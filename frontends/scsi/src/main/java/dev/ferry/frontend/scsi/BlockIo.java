package dev.ferry.frontend.scsi;

import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.request.RequestCompletion;
import io.netty.buffer.ByteBuf;
import java.util.function.Consumer;

/** Hands block requests to the core and maps the protocol-neutral outcome to SCSI status and sense data. */
final class BlockIo {
    private BlockIo() {
    }

    /**
     * A free request from the command's completion queue, or null after answering TASK SET FULL (SAM-5 5.3.1: the
     * task set of this loop is full); {@code owned} (may be null) is released in that case.
     */
    static BlockRequest acquire(ScsiCommand c, ByteBuf owned) {
        BlockRequest r = c.queue.acquire();
        if (r == null) {
            if (owned != null) {
                owned.release();
            }
            c.status(ScsiResponse.TASK_SET_FULL);
        }
        return r;
    }

    /** Submits a request of {@code c}, set with a {@link Completion} of {@code c}, which holds the command till then. */
    static void submit(ScsiCommand c, BlockRequest r) {
        c.hold();
        c.lu.unit.submit(r);
    }

    /**
     * What a command does when one of its block requests completes (on its loop): {@link #good} when the request
     * succeeded, otherwise {@link #failed} and the mapped failure, with the request released. Ends the hold its
     * {@link #submit} took on the command.
     */
    abstract static class Completion implements RequestCompletion {
        final ScsiCommand c;

        Completion(ScsiCommand c) {
            this.c = c;
        }

        @Override
        public final void completed(BlockRequest r) {
            try {
                deliver(r);
            } finally {
                c.release();
            }
        }

        void deliver(BlockRequest r) {
            if (r.status() == CompletionStatus.GOOD && !c.task.aborted() && !c.done()) {
                try {
                    good(r);
                } catch (CheckCondition cc) {
                    c.checkCondition(cc.sense());
                } catch (RuntimeException e) {
                    c.checkCondition(SenseData.internalTargetFailure());
                }
                return;
            }
            failed();
            CompletionStatus s = c.task.aborted() ? CompletionStatus.ABORTED : r.status();
            long miscompareOffset = byteOffset() + r.miscompareOffset();
            long failedLba = r.failedLba();
            r.release();
            fail(c, s, miscompareOffset, failedLba);
        }

        /** The request succeeded: release it and finish or continue the command. */
        abstract void good(BlockRequest r);

        /** Cleanup before a failure is answered. */
        void failed() {
        }

        /** Where the request's data starts in the command's transfer: a miscompare is reported at its offset there. */
        long byteOffset() {
            return 0;
        }
    }

    /** The completion of a request whose success makes the command GOOD; each command has one, reused with it. */
    static final class GoodWhenDone extends Completion {
        GoodWhenDone(ScsiCommand c) {
            super(c);
        }

        @Override
        void good(BlockRequest r) {
            r.release();
            c.good();
        }
    }

    /**
     * A completion that runs {@code onGood} (which must release the request and finish or continue the command)
     * when the request succeeded, and otherwise answers the mapped failure and releases the request.
     */
    static Completion then(ScsiCommand c, Consumer<BlockRequest> onGood) {
        return then(c, onGood, null);
    }

    /** As {@link #then(ScsiCommand, Consumer)}, running {@code onFailure} (cleanup, may be null) before failing. */
    static Completion then(ScsiCommand c, Consumer<BlockRequest> onGood, Runnable onFailure) {
        return new Completion(c) {
            @Override
            void good(BlockRequest r) {
                onGood.accept(r);
            }

            @Override
            void failed() {
                if (onFailure != null) {
                    onFailure.run();
                }
            }
        };
    }

    /**
     * SCSI rendering of a failed request (SBC-3 4.18 and SPC-4 Annex D); {@code failedLba} is the first failed
     * block of a medium error, or -1 when unknown.
     */
    static void fail(ScsiCommand c, CompletionStatus s, long miscompareOffset, long failedLba) {
        switch (s) {
            case GOOD -> c.good();
            case MEDIUM_ERROR_READ -> c.checkCondition(SenseData.unrecoveredReadError().atLba(failedLba));
            case MEDIUM_ERROR_WRITE -> c.checkCondition(SenseData.writeError().atLba(failedLba));
            case LBA_OUT_OF_RANGE -> c.checkCondition(SenseData.lbaOutOfRange());
            case INVALID_FIELD -> c.checkCondition(SenseData.invalidFieldInCdb(0, -1).withoutPointer());
            case MISCOMPARE -> c.checkCondition(SenseData.miscompare(miscompareOffset));
            case RESERVATION_CONFLICT -> c.status(ScsiResponse.RESERVATION_CONFLICT);
            case WRITE_PROTECTED -> c.checkCondition(SenseData.writeProtected());
            case NO_SPACE -> c.checkCondition(SenseData.spaceAllocationFailed());
            case BUSY -> c.status(ScsiResponse.BUSY);
            case ABORTED -> c.status(ScsiResponse.TASK_ABORTED);
            case UNSUPPORTED -> c.checkCondition(SenseData.invalidOpcode());
            case UNIT_NOT_READY -> c.checkCondition(SenseData.notReady());
            case INTERNAL_ERROR -> c.checkCondition(SenseData.internalTargetFailure());
        }
    }
}
