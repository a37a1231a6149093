package dev.ferry.frontend.nvme;

/**
 * How many controllers Connect may create, so that no host (the discovery subsystem takes any) can use up a
 * subsystem's CNTLIDs or the target's memory: per subsystem (the discovery subsystem counts as one) and per host
 * NQN within a subsystem. Beyond either, Connect answers Connect Controller Busy.
 *
 * @param perSubsystem controllers one subsystem holds at once, 1 to {@link CntlidAllocator#MAX_CNTLID}
 * @param perHost      controllers one host NQN holds in one subsystem at once, 1 to {@code perSubsystem}
 */
public record ControllerLimits(int perSubsystem, int perHost) {
    /** A Linux host makes one controller per path and subsystem, plus short-lived discovery controllers. */
    public static final int DEFAULT_PER_SUBSYSTEM = 1024;
    public static final int DEFAULT_PER_HOST = 64;

    /** The defaults, or the system properties {@code ferry.nvme.maxControllersPerSubsystem} and {@code ...PerHost}. */
    public static final ControllerLimits DEFAULT = new ControllerLimits(
            Integer.getInteger("ferry.nvme.maxControllersPerSubsystem", DEFAULT_PER_SUBSYSTEM),
            Integer.getInteger("ferry.nvme.maxControllersPerHost", DEFAULT_PER_HOST));

    public ControllerLimits {
        if (perSubsystem < 1 || perSubsystem > CntlidAllocator.MAX_CNTLID) {
            throw new IllegalArgumentException("controllers per subsystem must be 1.." + CntlidAllocator.MAX_CNTLID
                    + ", not " + perSubsystem);
        }
        if (perHost < 1 || perHost > perSubsystem) {
            throw new IllegalArgumentException("controllers per host must be 1.." + perSubsystem + ", not " + perHost);
        }
    }
}
