package dev.ferry.frontend.nvmerdma.sgl;

/** Where a command's data lives, as decided from SGL1 of its capsule by {@link SglCheck}. */
public sealed interface DataSgl {

    /** Data moved by RDMA READ (host to controller) or RDMA WRITE (controller to host) with the host's key. */
    record Keyed(KeyedSglDescriptor descriptor) implements DataSgl {
    }

    /** Host data carried in the capsule, {@code offset} bytes after the SQE; or no data at all. */
    record InCapsule(int offset) implements DataSgl {
    }

    /** The descriptor cannot be used; the command completes with this NVMe status. */
    record Invalid(int status) implements DataSgl {
    }
}
