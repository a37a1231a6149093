package dev.ferry.backend.file;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.backend.BackendException;
import dev.ferry.core.backend.BackendFactory;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.unit.UnitIdentity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code "type": "file"}: a disk in a regular file at {@code path}. A missing file is created sparse ({@code size}
 * is then required); an existing file keeps its size unless a larger {@code size} grows it.
 */
public final class FileBackendFactory implements BackendFactory {
    /** Largest request handed to the backend in one piece: 8 MiB. */
    private static final int MAX_TRANSFER_BYTES = 8 << 20;

    @Override
    public String type() {
        return "file";
    }

    @Override
    public List<String> validate(BackstoreConfig config) {
        return BackingFile.problems(config);
    }

    @Override
    public Backend open(BackstoreConfig config) throws BackendException {
        // Checked again: the file system may have changed since validation.
        List<String> problems = BackingFile.problems(config);
        if (!problems.isEmpty()) {
            throw new BackendException("backstore " + config.name() + ": " + String.join("; ", problems));
        }
        BackingFile.Opened file;
        try {
            file = BackingFile.open(config);
        } catch (IOException e) {
            throw new BackendException("backstore " + config.name() + ": cannot open " + config.path() + ": " + e, e);
        }
        FileAllocation allocation;
        try {
            allocation = FileAllocation.open(Path.of(config.path()), !config.readOnlyOrDefault());
        } catch (IOException e) {
            closeQuietly(file);
            throw new BackendException("backstore " + config.name() + ": cannot open " + config.path() + ": " + e, e);
        }
        return new FileBackend(describe(config, file.capacityBytes()).reportingAllocation(), Path.of(config.path()),
                file.channel(), allocation);
    }

    private static void closeQuietly(BackingFile.Opened file) {
        try {
            file.channel().close();
        } catch (IOException e) {
            // the open failed already; that is what gets reported
        }
    }

    private static BackendDescriptor describe(BackstoreConfig c, long capacityBytes) {
        int bs = c.blockSizeOrDefault();
        boolean cache = c.writeCacheOrDefault();
        return new BackendDescriptor(c.name(), capacityBytes / bs, bs, c.physicalBlockSizeOrDefault(),
                0, MAX_TRANSFER_BYTES / bs, true, 1, true, true, cache, cache, false, c.readOnlyOrDefault(),
                UnitIdentity.derive(c.identitySeedOrName(), "FILE DISK"));
    }
}
