package dev.ferry.core.config;

/**
 * One initiator allowed to use a target.
 *
 * @param initiator the initiator's name (iSCSI IQN/EUI/NAA name, or an NVMe host NQN)
 */
public record AclConfig(String initiator) {
}
