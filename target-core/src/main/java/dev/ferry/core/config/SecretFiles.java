package dev.ferry.core.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads CHAP secrets from files. The secret is the file's content without a trailing newline. RFC 7143 9.2.1
 * wants secrets of at least 96 bits where IPsec is not used, and Windows initiators accept 12-16 characters, so
 * 12 is the minimum; CHAP_C/CHAP_R limits keep it at most 255 bytes here.
 */
public final class SecretFiles {
    public static final int MIN_SECRET_BYTES = 12;
    public static final int MAX_SECRET_BYTES = 255;

    private SecretFiles() {
    }

    /** @return the secret bytes */
    public static byte[] read(String file) throws IOException {
        String s = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.endsWith("\r")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** @return null when the file holds an acceptable secret, else why not (never quoting the secret) */
    public static String problem(String file) {
        byte[] secret;
        try {
            secret = read(file);
        } catch (IOException e) {
            return "cannot read secret file " + file + " (" + e.getClass().getSimpleName() + ")";
        }
        if (secret.length < MIN_SECRET_BYTES || secret.length > MAX_SECRET_BYTES) {
            return "the secret in " + file + " has " + secret.length + " bytes; CHAP secrets need "
                    + MIN_SECRET_BYTES + "-" + MAX_SECRET_BYTES + " (RFC 7143 9.2.1)";
        }
        return null;
    }
}
