package dev.ferry.core.config;

import java.io.IOException;
import java.io.InputStream;
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

    /**
     * @return the secret bytes; from a file (or device) longer than any acceptable secret, only a prefix longer than
     * {@link #MAX_SECRET_BYTES}, so that naming /dev/zero cannot make Ferry read without end
     */
    public static byte[] read(String file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            head = in.readNBytes(MAX_SECRET_BYTES + "\r\n".length() + 1);
        }
        String s = new String(head, StandardCharsets.UTF_8);
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
        String invalid = ConfigPaths.problem(file);
        if (invalid != null) {
            return "the secret file " + invalid;
        }
        byte[] secret;
        try {
            secret = read(file);
        } catch (IOException e) {
            return "cannot read secret file " + file + " (" + e.getClass().getSimpleName() + ")";
        }
        if (secret.length < MIN_SECRET_BYTES || secret.length > MAX_SECRET_BYTES) {
            String has = secret.length > MAX_SECRET_BYTES ? "more than " + MAX_SECRET_BYTES : "" + secret.length;
            return "the secret in " + file + " has " + has + " bytes; CHAP secrets need "
                    + MIN_SECRET_BYTES + "-" + MAX_SECRET_BYTES + " (RFC 7143 9.2.1)";
        }
        return null;
    }
}
