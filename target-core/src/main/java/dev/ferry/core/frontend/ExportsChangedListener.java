package dev.ferry.core.frontend;

/**
 * A frontend that follows a live reconfiguration: {@link dev.ferry.core.TargetCore#apply} calls it right after
 * publishing a new registry snapshot. Frontends that do not implement it see new exports only by polling the
 * registry.
 */
public interface ExportsChangedListener {

    /**
     * Brings the frontend in line with the registry: binds the portals of new exports, unbinds portals no export
     * uses any more, and refreshes its per-export state (e.g. a changed LUN map). Throws when a new portal cannot
     * be bound, after unbinding what this call bound, so that the core can restore the previous snapshot and call
     * this again.
     */
    void exportsChanged() throws Exception;
}
