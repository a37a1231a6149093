package dev.ferry.frontend.nvme.fabrics;

import dev.ferry.frontend.nvme.Controller;
import dev.ferry.frontend.nvme.NvmeQueue;
import dev.ferry.frontend.nvme.NvmeRequest;
import dev.ferry.frontend.nvme.auth.AuthCommands;
import dev.ferry.frontend.nvme.auth.AuthSpec;
import dev.ferry.frontend.nvme.spec.Opcodes;
import dev.ferry.frontend.nvme.spec.Sqe;
import dev.ferry.frontend.nvme.spec.Status;

/** Dispatches Fabrics commands (opcode 7Fh, NVMe Base 2.0 6) by FCTYPE. */
public final class FabricsCommands {
    private FabricsCommands() {
    }

    public static void parse(NvmeQueue queue, NvmeRequest r) {
        int fctype = Sqe.fctype(r.sqe());
        Controller c = queue.controller();
        if (fctype == Opcodes.FCTYPE_CONNECT) {
            if (!queue.acceptConnect()) {
                queue.complete(r, Status.COMMAND_SEQUENCE_ERROR); // one Connect per queue, pending ones included
            } else if (r.sglLength() != ConnectCommand.DATA_SIZE) {
                queue.complete(r, Status.DATA_SGL_LENGTH_INVALID);
            } else {
                r.expectHostData(ConnectCommand.DATA_SIZE, req -> ConnectCommand.execute(queue, req));
            }
            return;
        }
        if (c == null) {
            queue.complete(r, Status.COMMAND_SEQUENCE_ERROR);
            return;
        }
        if (AuthCommands.isAuthentication(fctype)) {
            AuthCommands.parse(queue, r, fctype);
            return;
        }
        if (!queue.authenticated() && fctype != Opcodes.FCTYPE_DISCONNECT) {
            // Stricter than nvmet, which takes Property Get/Set before authentication: nothing but the
            // authentication itself (and leaving) is of use to a host that has not proven its secret yet.
            queue.complete(r, AuthSpec.AUTHENTICATION_REQUIRED);
            return;
        }
        switch (fctype) {
            case Opcodes.FCTYPE_PROPERTY_GET, Opcodes.FCTYPE_PROPERTY_SET -> {
                if (queue.qid() != 0) {
                    queue.complete(r, Status.INVALID_QUEUE_TYPE); // properties belong to the admin queue
                } else {
                    r.expectHostData(0, req -> PropertyCommands.execute(queue, req));
                }
            }
            case Opcodes.FCTYPE_DISCONNECT -> {
                if (queue.qid() == 0) {
                    queue.complete(r, Status.INVALID_QUEUE_TYPE); // Disconnect deletes I/O queues only
                } else {
                    r.expectHostData(0, req -> {
                        queue.complete(req, Status.SUCCESS);
                        queue.transport().close();
                    });
                }
            }
            default -> queue.complete(r, Status.INVALID_OPCODE);
        }
    }
}
