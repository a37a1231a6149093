package dev.ferry.frontend.nvme;

import dev.ferry.core.unit.Export;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One timer thread per target: deletes controllers whose host stopped sending commands for longer than KATO
 * (Base 2.0 3.9, "Keep Alive Timer expired" is a fatal controller condition that tears its queues down), and
 * notices registry reconfigurations, which the core publishes without a callback.
 */
final class KeepAliveTimer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KeepAliveTimer.class);
    static final long TICK_MILLIS = 200;

    private final NvmeTarget target;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ferry-nvme-keepalive");
        t.setDaemon(true);
        return t;
    });
    private List<Export> lastExports;

    KeepAliveTimer(NvmeTarget target) {
        this.target = target;
    }

    void start() {
        lastExports = target.subsystems();
        executor.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            long now = System.nanoTime();
            for (Controller c : target.controllers()) {
                if (c.keepAliveExpired(now)) {
                    target.keepAliveExpired(c);
                }
            }
            List<Export> exports = target.subsystems();
            if (!sameObjects(exports, lastExports)) {
                lastExports = exports;
                target.exportsChanged();
            }
        } catch (RuntimeException e) {
            LOG.warn("nvme keep-alive tick failed", e);
        }
    }

    /** Exports are immutable and replaced on reconfiguration, so identity tells whether anything changed. */
    private static boolean sameObjects(List<Export> a, List<Export> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
