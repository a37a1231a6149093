package dev.ferry.core;

import dev.ferry.core.config.BackstoreConfig;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;

/**
 * Backstore configurations that differ in their size only: the one change {@link TargetCore#apply} makes live
 * with a resize instead of reopening the unit. Works on the record's components, so a field added to
 * {@link BackstoreConfig} later is compared too without changing this class.
 */
public final class BackstoreSizes {
    private BackstoreSizes() {
    }

    /** The same backstore with {@code size} in place of its size. */
    public static BackstoreConfig withSize(BackstoreConfig b, String size) {
        RecordComponent[] components = BackstoreConfig.class.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        try {
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                values[i] = components[i].getName().equals("size") ? size : components[i].getAccessor().invoke(b);
            }
            Constructor<BackstoreConfig> canonical = BackstoreConfig.class.getDeclaredConstructor(types);
            return canonical.newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot copy a BackstoreConfig", e);
        }
    }

    /** Whether {@code next} is {@code previous} with another, non-empty size. */
    static boolean onlySizeDiffers(BackstoreConfig previous, BackstoreConfig next) {
        return previous != null && next.size() != null && !next.equals(previous)
                && withSize(previous, next.size()).equals(next);
    }
}
