package dev.ferry.frontend.nvme.fabrics;

import dev.ferry.frontend.nvme.Controller;
import dev.ferry.frontend.nvme.ControllerProperties;
import dev.ferry.frontend.nvme.NvmeQueue;
import dev.ferry.frontend.nvme.NvmeRequest;
import dev.ferry.frontend.nvme.spec.Opcodes;
import dev.ferry.frontend.nvme.spec.Sqe;
import dev.ferry.frontend.nvme.spec.Status;

/**
 * Property Get and Property Set (NVMe Base 2.0 6.5/6.6): ATTRIB byte 40 bits 2:0 give the size (0 = 4 bytes, 1 = 8
 * bytes), OFST bytes 44-47 the property, Set's VALUE bytes 48-55; Get returns the value in CQE DW0-DW1.
 */
final class PropertyCommands {
    static final int ATTRIB = 40;
    static final int OFST = 44;
    static final int VALUE = 48;
    private static final int SIZE_4 = 0;
    private static final int SIZE_8 = 1;

    private PropertyCommands() {
    }

    static void execute(NvmeQueue queue, NvmeRequest r) {
        Controller c = queue.controller();
        int size = r.sqe().getUnsignedByte(ATTRIB) & 0x7;
        long offset = r.sqe().getUnsignedIntLE(OFST);
        ControllerProperties p = c.properties();
        boolean get = Sqe.fctype(r.sqe()) == Opcodes.FCTYPE_PROPERTY_GET;
        if (get) {
            long value;
            if (offset == ControllerProperties.CAP && size == SIZE_8) {
                value = ControllerProperties.capabilities();
            } else if (offset == ControllerProperties.VS && size == SIZE_4) {
                value = ControllerProperties.VERSION;
            } else if (offset == ControllerProperties.CC && size == SIZE_4) {
                value = p.cc() & 0xFFFFFFFFL;
            } else if (offset == ControllerProperties.CSTS && size == SIZE_4) {
                value = p.csts() & 0xFFFFFFFFL;
            } else {
                queue.complete(r, Status.INVALID_FIELD);
                return;
            }
            queue.complete(r, Status.SUCCESS, value);
            return;
        }
        if (offset != ControllerProperties.CC || size != SIZE_4) {
            queue.complete(r, Status.INVALID_FIELD); // only CC is writable (NSSR is not supported)
            return;
        }
        boolean reset = p.writeCc(r.sqe().getIntLE(VALUE));
        if (reset) {
            c.resetIoQueues();
        }
        queue.complete(r, Status.SUCCESS);
    }
}
