package dev.ferry.core.config;

/**
 * One logical unit of a target.
 *
 * @param id        LUN (iSCSI) or namespace id (NVMe)
 * @param backstore name of the backstore it serves
 */
public record LunConfig(long id, String backstore) {
}
