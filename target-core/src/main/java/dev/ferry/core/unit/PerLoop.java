package dev.ferry.core.unit;

import dev.ferry.core.ring.CompletionQueue;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One {@code T} per event loop, indexed by {@link CompletionQueue#index()}, so each loop updates its own state with
 * plain writes and readers sum over all of them. A lookup is an array read; only a loop's first lookup takes a lock,
 * and it publishes a new array (copy on write), so a reader that sees a slot sees it fully built.
 */
final class PerLoop<T> {
    private static final Object[] NONE = new Object[0];

    private final Supplier<T> factory;
    private volatile Object[] slots = NONE;

    PerLoop(Supplier<T> factory) {
        this.factory = factory;
    }

    /** The state of the loop with queue index {@code index}, made on first use. */
    @SuppressWarnings("unchecked")
    T get(int index) {
        Object[] s = slots;
        if (index < s.length) {
            Object t = s[index];
            if (t != null) {
                return (T) t;
            }
        }
        return create(index);
    }

    @SuppressWarnings("unchecked")
    private synchronized T create(int index) {
        Object[] s = slots;
        if (index < s.length && s[index] != null) {
            return (T) s[index];
        }
        Object[] next = Arrays.copyOf(s, Math.max(s.length, index + 1));
        T t = factory.get();
        next[index] = t;
        slots = next;
        return t;
    }

    /** Runs {@code action} on the state of every loop that has used this so far. */
    @SuppressWarnings("unchecked")
    void forEach(Consumer<? super T> action) {
        for (Object t : slots) {
            if (t != null) {
                action.accept((T) t);
            }
        }
    }
}
