package dev.ferry.core.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One storage resource.
 *
 * @param name              unique name, referenced by LUNs; also seeds the resource's stable identity
 * @param type              backend type: {@code ram}, {@code file}
 * @param size              capacity ("1G", "512M", "1048576"); required for ram, optional for an existing file
 * @param path              file or device path (file backend)
 * @param blockSize         logical block size, 512 (default) or 4096
 * @param physicalBlockSize physical block size reported to initiators (default 4096: 512e)
 * @param readOnly          export write-protected
 * @param writeCache        report (and use) a volatile write cache; flush/FUA then force data to stable storage
 * @param workers           backend worker threads (default: the backend's own choice)
 * @param queueDepth        requests in flight at the device per backstore (block, scsi and ata backends; default
 *                          {@value #DEFAULT_QUEUE_DEPTH}); a backend that blocks has one in flight per worker
 * @param identitySeed      optional salt for the derived identity (to keep ids unique across several Ferry hosts)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackstoreConfig(
        String name,
        String type,
        String size,
        String path,
        Integer blockSize,
        Integer physicalBlockSize,
        Boolean readOnly,
        Boolean writeCache,
        Integer workers,
        Integer queueDepth,
        String identitySeed) {

    public static final int DEFAULT_BLOCK_SIZE = 512;
    public static final int DEFAULT_PHYSICAL_BLOCK_SIZE = 4096;
    /** Measured on a loop device over tmpfs with the block backend's io_uring path: see README "Queue depth". */
    public static final int DEFAULT_QUEUE_DEPTH = 32;
    /** Far above what any disk queues (SAS/SATA NCQ: 32, sg default: 256); io_uring allows 32768 entries. */
    public static final int MAX_QUEUE_DEPTH = 1024;

    /** A backstore with the default queue depth. */
    public BackstoreConfig(String name, String type, String size, String path, Integer blockSize,
            Integer physicalBlockSize, Boolean readOnly, Boolean writeCache, Integer workers, String identitySeed) {
        this(name, type, size, path, blockSize, physicalBlockSize, readOnly, writeCache, workers, null, identitySeed);
    }

    public int blockSizeOrDefault() {
        return blockSize == null ? DEFAULT_BLOCK_SIZE : blockSize;
    }

    public int physicalBlockSizeOrDefault() {
        return physicalBlockSize == null ? Math.max(DEFAULT_PHYSICAL_BLOCK_SIZE, blockSizeOrDefault()) : physicalBlockSize;
    }

    public boolean readOnlyOrDefault() {
        return readOnly != null && readOnly;
    }

    public int queueDepthOrDefault() {
        return queueDepth == null ? DEFAULT_QUEUE_DEPTH : queueDepth;
    }

    public boolean writeCacheOrDefault() {
        return writeCache == null || writeCache;
    }

    /** Size in bytes, or -1 when not given. */
    public long sizeBytes() {
        return size == null ? -1 : SizeParser.parse(size);
    }

    /** The seed for {@link dev.ferry.core.unit.UnitIdentity#derive}. */
    public String identitySeedOrName() {
        return identitySeed == null ? name : identitySeed + "/" + name;
    }
}
