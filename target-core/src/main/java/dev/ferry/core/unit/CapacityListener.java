package dev.ferry.core.unit;

/**
 * Told when a unit's capacity changed (a live resize), so that a frontend can tell its initiators: SCSI establishes
 * CAPACITY DATA HAS CHANGED, NVMe raises a Namespace Attribute Changed event. Frontends subscribe with
 * {@link UnitRegistry#addCapacityListener}; the registry snapshot itself does not change on a resize.
 */
@FunctionalInterface
public interface CapacityListener {
    void capacityChanged(LogicalUnit unit);
}
