package dev.ferry.backend.scsi;

import dev.ferry.backend.block.BlockBackendFactory;
import dev.ferry.backend.block.LibC;
import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.backend.BackendException;
import dev.ferry.core.backend.BackendFactory;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.unit.UnitIdentity;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code "type": "scsi"}: a SCSI disk through SG_IO on {@code path} (/dev/sgN, /dev/sdX or a by-id link). */
public final class ScsiBackendFactory implements BackendFactory {
    private static final Logger LOG = LoggerFactory.getLogger(ScsiBackendFactory.class);
    public static final int DEFAULT_WORKERS = 4;
    /** Largest transfer per command, less where the host's queue takes less; bigger requests are split. */
    static final int MAX_TRANSFER_BYTES = 512 << 10;

    @Override
    public String type() {
        return "scsi";
    }

    @Override
    public List<String> validate(BackstoreConfig config) {
        return SgDevices.validate(config, type());
    }

    @Override
    public Backend open(BackstoreConfig config) throws BackendException {
        Path node = SgDevices.resolve(config);
        int fd = SgDevices.open(config, node);
        try {
            ScsiDescription d = ScsiDescriber.describe(fd, new SgChannel(), node.toString());
            BackendDescriptor descriptor = descriptor(config, node, d,
                    SgDevices.maxTransferBytes(node, MAX_TRANSFER_BYTES));
            LOG.info("scsi backstore {}: {} {} {}, {} blocks of {} bytes", config.name(), node,
                    d.inquiry().vendor(), d.inquiry().product(), descriptor.capacityBlocks(), d.capacity().blockLength());
            return new ScsiBackend(descriptor, d, fd, SgDevices.workers(config, DEFAULT_WORKERS));
        } catch (BackendException | RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    /** @param maxTransferBytes the most one SG_IO moves ({@link SgDevices#maxTransferBytes}) */
    static BackendDescriptor descriptor(BackstoreConfig config, Path node, ScsiDescription d, int maxTransferBytes)
            throws BackendException {
        int lbs = d.capacity().blockLength();
        long size = d.sizeBytes();
        if (config.sizeBytes() > size) {
            throw new BackendException("backstore " + config.name() + ": " + node + " has " + size
                    + " bytes, smaller than the configured size " + config.size());
        }
        long exported = config.sizeBytes() < 0 ? size : config.sizeBytes();
        long maxTransfer = Math.max(1, maxTransferBytes / lbs);
        if (d.limits().maxTransfer() > 0) {
            maxTransfer = Math.min(maxTransfer, d.limits().maxTransfer());
        }
        long granularity = Math.max(1, d.limits().optimalUnmapGranularity());
        return new BackendDescriptor(config.name(), exported / lbs, lbs,
                lbs << d.capacity().physicalPerLogicalExponent(), (int) Math.min(d.limits().optimalTransfer(),
                Integer.MAX_VALUE), (int) maxTransfer, d.canUnmap(), (int) Math.min(granularity, Integer.MAX_VALUE),
                d.canUnmap() && d.readsZeroesAfterUnmap(), true, d.caching().writeCache(),
                d.caching().writeCache(), d.rotational(),
                config.readOnlyOrDefault() || d.caching().writeProtected(), identity(config, d));
    }

    /**
     * The device's own INQUIRY vendor, product and revision and its unit serial number (VPD page 80h), as LIO's
     * pscsi passes them through; Ferry's derived designators ({@link UnitIdentity#ofDevice} says why).
     */
    static UnitIdentity identity(BackstoreConfig config, ScsiDescription d) {
        Inquiry.Standard inquiry = d.inquiry();
        return UnitIdentity.ofDevice(config.identitySeedOrName(), inquiry.vendor(),
                BlockBackendFactory.product(inquiry.product(), "SCSI DISK"), inquiry.revision(), d.serial());
    }
}
