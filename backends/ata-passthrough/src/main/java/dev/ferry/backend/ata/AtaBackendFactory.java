package dev.ferry.backend.ata;

import dev.ferry.backend.block.BlockBackendFactory;
import dev.ferry.backend.block.LibC;
import dev.ferry.backend.scsi.ScsiOutcome;
import dev.ferry.backend.scsi.SgChannel;
import dev.ferry.backend.scsi.SgDevices;
import dev.ferry.backend.scsi.SgIoHeader;
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

/** {@code "type": "ata"}: an ATA disk behind a SAT layer, through SG_IO on /dev/sgN or /dev/sdX. */
public final class AtaBackendFactory implements BackendFactory {
    private static final Logger LOG = LoggerFactory.getLogger(AtaBackendFactory.class);
    public static final int DEFAULT_WORKERS = 4;
    /** At most 512 KiB per command, less where the host's queue takes less; bigger requests are split. */
    private static final int MAX_TRANSFER_BYTES = 512 << 10;
    /** SAT-3 10.4.2: T10 VENDOR IDENTIFICATION of every ATA device. */
    static final String SAT_VENDOR = "ATA";

    @Override
    public String type() {
        return "ata";
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
            AtaIdentify id = identify(fd, node);
            BackendDescriptor d = descriptor(config, node, id,
                    SgDevices.maxTransferBytes(node, MAX_TRANSFER_BYTES));
            LOG.info("ata backstore {}: {} {} serial {}, {} sectors of {} bytes", config.name(), node, id.model(),
                    id.serial(), id.sectors(), id.logicalSectorSize());
            return new AtaBackend(d, id, fd, SgDevices.workers(config, DEFAULT_WORKERS));
        } catch (BackendException | RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    /** IDENTIFY DEVICE through ATA PASS-THROUGH(16); a device without a SAT layer refuses the CDB. */
    public static AtaIdentify identify(int fd, Path node) throws BackendException {
        SgChannel c = new SgChannel();
        AtaPassThrough16.identifyDevice(c.cdb);
        int status = c.run(fd, AtaPassThrough16.LENGTH, SgIoHeader.SG_DXFER_FROM_DEV, c.bounce, AtaIdentify.LENGTH,
                10_000);
        AtaStatus ata = AtaStatus.from(c.sense());
        if (status != ScsiOutcome.GOOD || c.hostStatus() != 0 || (ata != null && ata.failed())) {
            throw new BackendException(node + " does not answer ATA PASS-THROUGH IDENTIFY DEVICE (status " + status
                    + (c.sense() == null ? "" : ", " + c.sense()) + "): not an ATA disk behind a SAT layer");
        }
        return AtaIdentify.parse(c.bounceBytes(AtaIdentify.LENGTH));
    }

    /** @param maxTransferBytes the most one SG_IO moves ({@link SgDevices#maxTransferBytes}) */
    static BackendDescriptor descriptor(BackstoreConfig config, Path node, AtaIdentify id, int maxTransferBytes)
            throws BackendException {
        int lbs = id.logicalSectorSize();
        if (config.sizeBytes() > id.sizeBytes()) {
            throw new BackendException("backstore " + config.name() + ": " + node + " has " + id.sizeBytes()
                    + " bytes, smaller than the configured size " + config.size());
        }
        long exported = config.sizeBytes() < 0 ? id.sizeBytes() : config.sizeBytes();
        boolean cache = id.writeCacheSupported() && id.writeCacheEnabled();
        return new BackendDescriptor(config.name(), exported / lbs, lbs, id.physicalSectorSize(), 0,
                Math.max(1, maxTransferBytes / lbs), id.trim(), 1, id.trim() && id.readZeroesAfterTrim(), false, cache, cache,
                id.rotational(), config.readOnlyOrDefault(), identity(config, id));
    }

    /**
     * The disk as a SAT layer shows it (SAT-3 10.4.2 standard INQUIRY, 10.4.3 unit serial; libata does the same):
     * vendor "ATA", the model's first 16 characters, the firmware's {@link AtaIdentify#productRevision}, the ATA
     * serial number; Ferry's derived designators ({@link UnitIdentity#ofDevice} says why).
     */
    static UnitIdentity identity(BackstoreConfig config, AtaIdentify id) {
        return UnitIdentity.ofDevice(config.identitySeedOrName(), SAT_VENDOR,
                BlockBackendFactory.product(id.model(), "ATA DISK"), id.productRevision(), id.serial());
    }
}
