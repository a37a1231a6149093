package dev.ferry.gateway;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.BooleanSupplier;

/** Waits for a state; the timeout is only a safety net against a test hanging, never what a test asserts. */
final class Await {
    static final long SAFETY_NET_MILLIS = 120_000;

    private Await() {
    }

    static void until(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + SAFETY_NET_MILLIS * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                fail("never happened: " + what);
            }
            Thread.sleep(50);
        }
    }
}
