package dev.ferry.cli.control;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The JSON mapper of the control protocol: strict on input, like the configuration file. */
public final class ControlJson {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /** Largest request or response accepted; a configuration is a few KiB. */
    static final int MAX_MESSAGE_BYTES = 4 << 20;

    private ControlJson() {
    }
}
