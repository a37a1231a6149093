package dev.ferry.core.ring;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A completion callback that fails, with an Error even, does not keep the others of its drain from running. */
class CompletionQueueTest {

    @Test
    void aFailingCallbackDoesNotStrandTheCompletionsBehindIt() {
        ArrayDeque<Runnable> loop = new ArrayDeque<>();
        CompletionQueue cq = new CompletionQueue(loop::add, 4);
        List<Object> delivered = new ArrayList<>();
        BlockRequest failing = cq.acquire().set(BlockOp.FLUSH, 0, 0, null, r -> {
            throw new Error("injected in one connection's callback");
        }, "failing");
        BlockRequest other = cq.acquire().set(BlockOp.FLUSH, 0, 0, null, r -> delivered.add(r.context()), "other");
        failing.complete(CompletionStatus.GOOD);
        other.complete(CompletionStatus.GOOD);

        assertEquals(1, loop.size(), "one drain for both");
        assertDoesNotThrow(() -> loop.poll().run());
        assertEquals(List.of("other"), delivered);
    }
}
