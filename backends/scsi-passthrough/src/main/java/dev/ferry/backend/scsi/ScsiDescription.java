package dev.ferry.backend.scsi;

/**
 * What a SCSI disk says about itself through INQUIRY, its VPD pages, READ CAPACITY(16) and the Caching mode page.
 *
 * @param inquiry      standard INQUIRY data
 * @param serial       Unit Serial Number VPD page (80h), "" when absent
 * @param designator   logical unit NAA or EUI-64 designator from VPD page 83h, "" when absent
 * @param capacity     READ CAPACITY(16)
 * @param limits       Block Limits VPD page (B0h), {@link BlockLimits#NONE} when absent
 * @param provisioning Logical Block Provisioning VPD page (B2h), {@link Provisioning#NONE} when absent
 * @param caching      Caching mode page and write-protect bit
 * @param rotational   Block Device Characteristics VPD page (B1h) reports a rotation rate
 */
public record ScsiDescription(Inquiry.Standard inquiry, String serial, String designator, Capacity16 capacity,
        BlockLimits limits, Provisioning provisioning, ModeSense.Caching caching, boolean rotational) {

    public long sizeBytes() {
        return capacity.blocks() * capacity.blockLength();
    }

    /** UNMAP, or WRITE SAME(16) with UNMAP, is available. */
    public boolean canUnmap() {
        return capacity.provisioned() && (provisioning.unmap() || provisioning.writeSameUnmap());
    }

    public boolean readsZeroesAfterUnmap() {
        return provisioning.readsZeroes() || capacity.readsZeroes();
    }
}
