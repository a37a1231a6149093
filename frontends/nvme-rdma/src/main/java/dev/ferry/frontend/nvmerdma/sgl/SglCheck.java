package dev.ferry.frontend.nvmerdma.sgl;

import dev.ferry.frontend.nvme.spec.Sqe;
import dev.ferry.frontend.nvme.spec.Status;
import io.netty.buffer.ByteBuf;

/**
 * Validates SGL1 of a command capsule against the data the parsed command needs (like nvmet's
 * {@code nvmet_rdma_map_sgl}), producing where the data is or the NVMe status that rejects the command:
 * <ul>
 * <li>Keyed SGL Data Block (4h, subtype 0h or Fh): its 24-bit length must cover the host data;</li>
 * <li>SGL Data Block, Offset subtype (01h): in-capsule host data, which must lie inside the capsule;</li>
 * <li>anything else: SGL Descriptor Type Invalid.</li>
 * </ul>
 */
public final class SglCheck {
    private SglCheck() {
    }

    /**
     * @param sqe             the capsule's submission queue entry
     * @param hostDataLength  bytes the command needs from the host (0 for none or for controller-to-host data)
     * @param inCapsuleLength bytes that followed the SQE in the received capsule
     */
    public static DataSgl check(ByteBuf sqe, int hostDataLength, int inCapsuleLength) {
        int identifier = sqe.getUnsignedByte(Sqe.SGL_IDENTIFIER);
        int subtype = SglIdentifier.subtype(identifier);
        switch (SglIdentifier.type(identifier)) {
            case SglIdentifier.TYPE_KEYED_DATA_BLOCK -> {
                if (subtype != SglIdentifier.SUBTYPE_ADDRESS && subtype != SglIdentifier.SUBTYPE_INVALIDATE_KEY) {
                    return new DataSgl.Invalid(Status.SGL_DESCRIPTOR_TYPE_INVALID);
                }
                KeyedSglDescriptor keyed = KeyedSglDescriptor.parse(sqe, Sqe.SGL_ADDRESS);
                if (hostDataLength > keyed.length()) {
                    return new DataSgl.Invalid(Status.DATA_SGL_LENGTH_INVALID);
                }
                return new DataSgl.Keyed(keyed);
            }
            case SglIdentifier.TYPE_DATA_BLOCK -> {
                if (subtype != SglIdentifier.SUBTYPE_OFFSET) {
                    return new DataSgl.Invalid(Status.SGL_DESCRIPTOR_TYPE_INVALID);
                }
                return inCapsule(InCapsuleSglDescriptor.parse(sqe, Sqe.SGL_ADDRESS), hostDataLength, inCapsuleLength);
            }
            default -> {
                return new DataSgl.Invalid(Status.SGL_DESCRIPTOR_TYPE_INVALID);
            }
        }
    }

    private static DataSgl inCapsule(InCapsuleSglDescriptor d, int hostDataLength, int inCapsuleLength) {
        if (hostDataLength == 0) {
            // Response capsules carry no data: controller-to-host data needs a keyed descriptor.
            return d.length() == 0 ? new DataSgl.InCapsule(0) : new DataSgl.Invalid(Status.SGL_DESCRIPTOR_TYPE_INVALID);
        }
        if (d.offset() < 0 || d.offset() > inCapsuleLength) {
            return new DataSgl.Invalid(Status.SGL_OFFSET_INVALID);
        }
        if (d.length() < hostDataLength || d.offset() + hostDataLength > inCapsuleLength) {
            return new DataSgl.Invalid(Status.DATA_SGL_LENGTH_INVALID);
        }
        return new DataSgl.InCapsule((int) d.offset());
    }
}
