package dev.ferry.frontend.nvme.auth;

import dev.ferry.frontend.nvme.NvmeQueue;
import dev.ferry.frontend.nvme.NvmeRequest;
import dev.ferry.frontend.nvme.spec.Sqe;
import dev.ferry.frontend.nvme.spec.Status;
import io.netty.buffer.ByteBuf;

/**
 * Authentication Send (Fabrics 05h) and Authentication Receive (06h), NVMe Base 2.0 6.1-6.2: checks the security
 * protocol (SECP E9h, SPSP 01h/01h) and bounds the transfer length before any data is fetched, then hands the
 * message to the queue's {@link QueueAuthentication}.
 */
public final class AuthCommands {
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
                boolean close = auth.send(req.hostData(), System.nanoTime());
                q.complete(req, Status.SUCCESS);
                if (close) {
                    q.transport().close();
                }
            });
        } else {
            r.expectHostData(0, req -> {
                QueueAuthentication.Response response = auth.receive();
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
            });
        }
    }

    /** Whether a command is one an unauthenticated queue still takes. */
    public static boolean isAuthentication(int fctype) {
        return fctype == AuthSpec.FCTYPE_AUTHENTICATION_SEND || fctype == AuthSpec.FCTYPE_AUTHENTICATION_RECEIVE;
    }
}
