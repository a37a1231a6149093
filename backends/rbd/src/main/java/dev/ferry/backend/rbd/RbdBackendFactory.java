package dev.ferry.backend.rbd;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.backend.BackendException;
import dev.ferry.core.backend.BackendFactory;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.unit.UnitIdentity;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code "type": "rbd"}: a Ceph RBD image, {@code path} naming it as {@link RbdSpec} reads it
 * ({@code POOL[/NAMESPACE]/IMAGE[:conf=FILE][:id=CLIENT][:keyring=FILE]...}). A {@code size} creates the image
 * when it does not exist; an existing image is exported at its own size.
 */
public final class RbdBackendFactory implements BackendFactory {
    /** One worker suffices: it only starts requests, librbd's threads complete them. */
    static final int DEFAULT_WORKERS = 1;
    /** Largest request taken in one piece: two of librbd's default 4 MiB objects. */
    private static final int MAX_TRANSFER_BYTES = 8 << 20;
    /** librbd's default object size: the unit of its I/O to the OSDs, reported as the optimal transfer. */
    private static final int OBJECT_BYTES = 4 << 20;
    /** The sector librbd's compare-and-write works within. */
    static final int COMPARE_AND_WRITE_BYTES = 512;
    static final String PRODUCT = "RBD";

    @Override
    public String type() {
        return "rbd";
    }

    @Override
    public List<String> validate(BackstoreConfig config) {
        List<String> problems = new ArrayList<>();
        try {
            RbdSpec.parse(config.path());
        } catch (IllegalArgumentException e) {
            problems.add("path: " + e.getMessage());
        }
        return problems;
    }

    @Override
    public Backend open(BackstoreConfig config) throws BackendException {
        return open(config, RbdSpec.parse(config.path()));
    }

    /**
     * librbd 16 compares and writes within one 512-byte sector only (ImageCompareAndWriteRequest refuses, with
     * EINVAL, an extent that crosses a sector or stripe unit boundary): one block of 512 bytes, none of 4096.
     */
    static int compareAndWriteBlocks(int blockSize) {
        return COMPARE_AND_WRITE_BYTES / blockSize;
    }

    static RbdBackend open(BackstoreConfig config, RbdSpec spec) throws BackendException {
        String what = "backstore " + config.name();
        RbdImage rbd = RbdImage.open(what, spec, config.size() == null ? -1 : config.sizeBytes());
        try {
            int bs = config.blockSizeOrDefault();
            long blocks = rbd.size() / bs;
            if (blocks == 0) {
                throw new BackendException(what + ": image " + spec.imageSpec() + " is smaller than one block of "
                        + bs + " bytes");
            }
            // The image's identity, not the backstore's: two Ferry nodes exporting one image present one unit (as
            // multipath requires), whatever each calls its backstore, and a renamed image stays the same unit.
            UnitIdentity identity = UnitIdentity.derive("rbd:" + rbd.fsid + "/" + rbd.poolId + "/" + rbd.imageId,
                    PRODUCT);
            BackendDescriptor d = new BackendDescriptor(config.name(), blocks, bs, config.physicalBlockSizeOrDefault(),
                    OBJECT_BYTES / bs, MAX_TRANSFER_BYTES / bs, true, 1, true, true, false, false, false,
                    config.readOnlyOrDefault(), identity).withMaxCompareAndWriteBlocks(compareAndWriteBlocks(bs));
            int workers = config.workers() == null ? DEFAULT_WORKERS : config.workers();
            return new RbdBackend(rbd, d, workers, config.queueDepthOrDefault());
        } catch (BackendException | RuntimeException e) {
            rbd.close();
            throw e;
        }
    }
}
