package dev.ferry.frontend.iscsi.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ferry.frontend.iscsi.login.SessionParameters;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** TSIH allocation (RFC 7143 11.12.6) over a test-sized space: unique, never 0, and a clean "none" at the end. */
class SessionTableTest {
    static IscsiSession session(int tsih, int n) {
        return new IscsiSession(IscsiSession.Key.of("iqn.2026-12.dev.ferry:i" + n, n, "iqn.2026-12.dev.ferry:t"),
                tsih, n, new SessionParameters(), null, null, null, null);
    }

    @Test
    void exhaustionAnswersNoTsihInsteadOfSpinning() {
        SessionTable table = new SessionTable(3);
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            int t = table.allocateTsih();
            assertNotEquals(SessionTable.NO_TSIH, t);
            used.add(t);
            table.add(session(t, i));
        }
        assertEquals(Set.of(1, 2, 3), used);
        // The old allocator looped here forever; the safety net only turns a hang into a failure.
        assertEquals(SessionTable.NO_TSIH, assertTimeoutPreemptively(Duration.ofSeconds(10), table::allocateTsih));

        table.remove(table.byTsih(2));
        assertEquals(2, table.allocateTsih(), "a freed TSIH is found again");
        assertEquals(SessionTable.NO_TSIH, table.allocateTsih(), "handed out but not yet added still counts as used");
        table.release(2);
        assertEquals(2, table.allocateTsih());
    }
}
