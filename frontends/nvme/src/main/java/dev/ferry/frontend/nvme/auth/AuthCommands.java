package dev.ferry.frontend.nvme.auth;

import dev.ferry.frontend.nvme.NvmeQueue;
import dev.ferry.frontend.nvme.NvmeRequest;
import dev.ferry.frontend.nvme.spec.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication Send (Fabrics 05h) and Authentication Receive (06h), NVMe Base 2.0 6.1-6.2: checks the security
 * protocol (SECP E9h, SPSP 01h/01h) and bounds the transfer length before any data is fetched, then hands the
 * message to the queue's {@link QueueAuthentication} on an {@link AuthWorkers} thread (Diffie-Hellman is too slow
 * for an event loop) and completes the command back on the queue's loop. One authentication command runs per
 * queue at a time, so the state machine is never touched by two threads at once.
 */
public final class AuthCommands {
    private static final Logger LOG = LoggerFactory.getLogger(AuthCommands.class);

    private AuthCommands() {
    }

    public static void parse(NvmeQueue q, NvmeRequest r, int fctype) {
        QueueAuthentication auth = q.authentication();
        if (auth == null) {
            q.complete(r, Status.COMMAND_SEQUENCE_ERROR); // this host has no secret here: nothing to authenticate
            return;
        }
        ByteBuf sqe = r.sqe();
        long length = sqe.getUnsignedIntLE(AuthSpec.SQE_LENGTH);
        if (sqe.getUnsignedByte(AuthSpec.SQE_SECP) != AuthSpec.SECP_NVME
                || sqe.getUnsignedByte(AuthSpec.SQE_SPSP0) != AuthSpec.SPSP_DHCHAP
                || sqe.getUnsignedByte(AuthSpec.SQE_SPSP1) != AuthSpec.SPSP_DHCHAP
                || length == 0 || r.sglLength() != length) {
            q.complete(r, Status.INVALID_FIELD);
            return;
        }
        if (fctype == AuthSpec.FCTYPE_AUTHENTICATION_SEND) {
            if (length > AuthSpec.MAX_HOST_MESSAGE) {
                q.complete(r, Status.INVALID_FIELD); // longer than any message a host sends
                return;
            }
            r.expectHostData((int) length, req -> {
                byte[] message = ByteBufUtil.getBytes(req.hostData()); // the worker never sees the request's buffer
                offLoop(q, req, auth, () -> {
                    boolean close = auth.send(Unpooled.wrappedBuffer(message), System.nanoTime());
                    return () -> {
                        q.complete(req, Status.SUCCESS);
                        if (close) {
                            q.transport().close();
                        }
                    };
                });
            });
        } else {
            r.expectHostData(0, req -> offLoop(q, req, auth, () -> {
                QueueAuthentication.Response response = auth.receive();
                return () -> {
                    ByteBuf m = response.message();
                    if (m.readableBytes() > length) {
                        m.release(); // the host left no room for the message: the transaction cannot go on
                        q.complete(req, Status.INVALID_FIELD);
                        q.transport().close();
                        return;
                    }
                    req.controllerData(m);
                    q.complete(req, Status.SUCCESS);
                    if (response.closeAfter()) {
                        q.transport().close();
                    }
                };
            }));
        }
    }

    /** Runs {@code step} on a worker, then what it returns on the queue's loop. */
    private static void offLoop(NvmeQueue q, NvmeRequest r, QueueAuthentication auth, Supplier<Runnable> step) {
        if (!auth.begin()) {
            q.complete(r, Status.COMMAND_SEQUENCE_ERROR); // one authentication command at a time
            return;
        }
        boolean queued = AuthWorkers.submit(() -> {
            Runnable then;
            try {
                then = step.get();
            } catch (Throwable t) {
                LOG.error("nvme queue {}: authentication step failed", q.qid(), t);
                then = () -> {
                    q.complete(r, Status.INTERNAL_ERROR);
                    q.transport().close();
                };
            }
            Runnable onLoop = then;
            q.transport().executor().execute(() -> {
                auth.finish();
                try {
                    onLoop.run();
                } catch (Throwable t) {
                    LOG.error("nvme queue {}: authentication completion failed, closing", q.qid(), t);
                    q.transport().close();
                }
            });
        });
        if (!queued) {
            auth.finish();
            q.complete(r, Status.COMMAND_INTERRUPTED); // every worker busy: retryable
        }
    }

    /** Whether a command is one an unauthenticated queue still takes. */
    public static boolean isAuthentication(int fctype) {
        return fctype == AuthSpec.FCTYPE_AUTHENTICATION_SEND || fctype == AuthSpec.FCTYPE_AUTHENTICATION_RECEIVE;
    }
}
