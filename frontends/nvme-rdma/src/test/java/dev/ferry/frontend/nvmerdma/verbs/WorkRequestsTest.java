package dev.ferry.frontend.nvmerdma.verbs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkRequestsTest {

    @Test
    void completionsFindTheirCallbackAndSlotsAreReused() {
        WorkRequests wrs = new WorkRequests(1);
        List<String> seen = new ArrayList<>();
        long a = wrs.add((s, n) -> seen.add("a " + s + " " + n));
        long b = wrs.add((s, n) -> seen.add("b " + s + " " + n)); // grows past the initial capacity
        assertEquals(2, wrs.outstanding());
        wrs.complete(b, 0, 64);
        wrs.complete(a, 5, 0);
        assertEquals(List.of("b 0 64", "a 5 0"), seen);
        assertEquals(0, wrs.outstanding());
        long c = wrs.add((s, n) -> { });
        wrs.cancel(c);
        assertThrows(IllegalStateException.class, () -> wrs.complete(c, 0, 0));
    }
}
