package dev.ferry.frontend.nvmerdma.sgl;

/**
 * The SGL identifier byte (byte 15 of a descriptor, SQE byte 39; NVMe Base 2.0 4.3.2): bits 7:4 descriptor type,
 * bits 3:0 subtype. The RDMA binding uses a Keyed SGL Data Block for data moved by RDMA READ/WRITE and an SGL
 * Data Block with the Offset subtype for in-capsule data.
 */
public final class SglIdentifier {
    private SglIdentifier() {
    }

    /** Descriptor types (Base 2.0 4.3.2, SGL Descriptor Type). */
    public static final int TYPE_DATA_BLOCK = 0x0;
    public static final int TYPE_KEYED_DATA_BLOCK = 0x4;

    /** Descriptor subtypes (Base 2.0 4.3.2, SGL Descriptor Sub Type). */
    public static final int SUBTYPE_ADDRESS = 0x0;
    public static final int SUBTYPE_OFFSET = 0x1;
    /** Keyed data block only: the host asks the controller to invalidate the key (SEND with Invalidate). */
    public static final int SUBTYPE_INVALIDATE_KEY = 0xF;

    public static int type(int identifier) {
        return (identifier >>> 4) & 0xF;
    }

    public static int subtype(int identifier) {
        return identifier & 0xF;
    }

    public static int of(int type, int subtype) {
        return (type << 4) | subtype;
    }
}
