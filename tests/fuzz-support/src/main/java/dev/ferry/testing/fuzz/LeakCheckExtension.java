package dev.ferry.testing.fuzz;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Every test class of a module that has this module on its test class path runs with Netty's leak detector at
 * PARANOID, and fails when a buffer it (or the code it drives) allocated was collected without being released.
 * Registered through JUnit's extension auto-detection (META-INF/services, enabled in the parent pom).
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        NettyLeaks.watch();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        NettyLeaks.collectAndAssertNone();
    }
}
