package dev.ferry.frontend.nvme;

import java.util.List;

/**
 * What the controller model needs from a transport as a whole (the transport-wide half of nvmet's {@code struct
 * nvmet_fabrics_ops}): its type and limits for Identify Controller, and its ports for the discovery log.
 */
public interface FabricsTransport {

    /** Discovery log TRTYPE (Base 2.0 Figure 294): 1 RDMA, 3 TCP. */
    int transportType();

    /** In-capsule data the transport accepts on I/O queues, in bytes (IOCCSZ = (64 + this) / 16). */
    int ioInCapsuleDataSize();

    /** Maximum SGL data block descriptors per command (MSDBD). */
    int maxSglDescriptors();

    /** Whether hosts may describe data with Keyed SGL Data Block descriptors (RDMA; Identify SGLS bit 2). */
    default boolean keyedSglDescriptors() {
        return false;
    }

    /** Transport specific address subtype bytes (TSAS) of a discovery log entry, 256 bytes. */
    byte[] transportSpecificAddress();

    /** Every port the transport listens on, with ports resolved. */
    List<FabricsPort> ports();
}
