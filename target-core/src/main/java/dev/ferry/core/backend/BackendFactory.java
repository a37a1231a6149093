package dev.ferry.core.backend;

import dev.ferry.core.config.BackstoreConfig;
import java.util.List;

/**
 * Creates backends of one type ({@code "ram"}, {@code "file"}, ...). Implementations are found with
 * {@link java.util.ServiceLoader}, so the core never names a backend class.
 */
public interface BackendFactory {

    /** The {@code type} value in the configuration that selects this factory. */
    String type();

    /**
     * Type-specific checks of a backstore's configuration, without opening anything.
     *
     * @return one message per problem, each naming the field, empty when the configuration is acceptable
     */
    List<String> validate(BackstoreConfig config);

    /** Opens the resource. */
    Backend open(BackstoreConfig config) throws BackendException;
}
