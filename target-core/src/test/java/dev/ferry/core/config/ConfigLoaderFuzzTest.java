package dev.ferry.core.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Any text given as the configuration file either loads and validates or fails with {@link ConfigException} naming
 * the problem; never another exception (which would stop the daemon with a stack trace instead of a message).
 */
class ConfigLoaderFuzzTest {
    private static final BackendFactory RAM = new BackendFactory() {
        @Override
        public String type() {
            return "ram";
        }

        @Override
        public List<String> validate(BackstoreConfig config) {
            return config.size() == null ? List.of("size: a ram backstore needs a size") : List.of();
        }

        @Override
        public Backend open(BackstoreConfig config) {
            throw new UnsupportedOperationException();
        }
    };
    private static final ConfigValidator VALIDATOR = new ConfigValidator(Map.of("ram", RAM), Set.of("iscsi", "nvme"));

    @FuzzTest
    void loadsOrNamesTheProblem(byte[] file) {
        String json = new String(file, StandardCharsets.UTF_8);
        try {
            FerryConfig config = ConfigLoader.parse(json);
            VALIDATOR.validate(config);
            ConfigLoader.toJson(config);
        } catch (ConfigException expected) {
            // the documented outcome for a bad file
        }
    }
}
