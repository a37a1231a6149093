package dev.ferry.frontend.nvme;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One timer thread per target: deletes controllers whose host stopped sending commands for longer than KATO
 * (Base 2.0 3.9, "Keep Alive Timer expired" is a fatal controller condition that tears its queues down), and
 * closes queues whose in-band authentication missed its deadline.
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

    KeepAliveTimer(NvmeTarget target) {
        this.target = target;
    }

    void start() {
        executor.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            long now = System.nanoTime();
            for (Controller c : target.controllers()) {
                if (c.keepAliveExpired(now)) {
                    target.keepAliveExpired(c);
                } else {
                    c.closeExpiredAuthentications(now);
                }
            }
        } catch (Throwable t) {
            // An Error too: one escaping a scheduleWithFixedDelay task would cancel every later tick in silence.
            LOG.error("nvme keep-alive tick failed", t);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
