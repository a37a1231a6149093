package dev.ferry.core.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.CRC32;

/**
 * An NVMe DH-HMAC-CHAP secret in the representation {@code nvme gen-dhchap-key} prints and the Linux host takes
 * ({@code --dhchap-secret}): {@code DHHC-1:<hh>:<base64 of key || CRC-32 of key, little endian>:}, where hh names
 * the hash that transforms the key before use (NVMe Base 2.0 8.13.5.8: 00 none, 01 SHA-256, 02 SHA-384, 03
 * SHA-512) and the key has 32, 48 or 64 bytes (exactly the hash's length when hh is not 00, as Linux checks).
 * Parsed here, in the configuration, so that a bad secret is a configuration error; the NVMe frontend does the
 * cryptography. {@link #toString()} never shows the key.
 *
 * @param hashId the transformation hash identifier (0-3)
 * @param key    the key bytes (CRC removed)
 */
public record DhchapKey(int hashId, byte[] key) {
    private static final String PREFIX = "DHHC-1:";
    private static final int CRC_BYTES = 4;
    /** The longest representation: "DHHC-1:hh:" + base64 of 68 bytes + ":" and a little slack for whitespace. */
    static final int MAX_TEXT_BYTES = 128;

    /** The key length a transformation hash requires (0 for hash id 0, which takes 32, 48 or 64). */
    public static int keyLengthOf(int hashId) {
        return switch (hashId) {
            case 1 -> 32;
            case 2 -> 48;
            case 3 -> 64;
            default -> 0;
        };
    }

    /** Parses the DHHC-1 text; the exception's message says what is wrong without quoting the secret. */
    public static DhchapKey parse(String text) {
        String s = text.strip();
        if (!s.startsWith(PREFIX) || s.length() < PREFIX.length() + 3 || s.charAt(PREFIX.length() + 2) != ':') {
            throw new IllegalArgumentException("not a DHHC-1 secret (expected DHHC-1:<hash id>:<base64>:, "
                    + "as nvme gen-dhchap-key prints)");
        }
        int hashId;
        try {
            hashId = Integer.parseInt(s.substring(PREFIX.length(), PREFIX.length() + 2), 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the DHHC-1 hash id is not two hex digits");
        }
        if (hashId > 3) {
            throw new IllegalArgumentException("DHHC-1 hash id " + hashId + " is not 00 (none), 01 (SHA-256), "
                    + "02 (SHA-384) or 03 (SHA-512)");
        }
        String b64 = s.substring(PREFIX.length() + 3);
        if (b64.endsWith(":")) {
            b64 = b64.substring(0, b64.length() - 1);
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the DHHC-1 key is not valid base64");
        }
        int keyLength = raw.length - CRC_BYTES;
        if (keyLength != 32 && keyLength != 48 && keyLength != 64) {
            throw new IllegalArgumentException("the DHHC-1 key has " + Math.max(0, keyLength)
                    + " bytes; it needs 32, 48 or 64");
        }
        int required = keyLengthOf(hashId);
        if (required != 0 && keyLength != required) {
            throw new IllegalArgumentException("the DHHC-1 key has " + keyLength + " bytes but hash id " + hashId
                    + " needs " + required);
        }
        byte[] key = Arrays.copyOf(raw, keyLength);
        int crc = ByteBuffer.wrap(raw, keyLength, CRC_BYTES).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (crc != (int) crc32(key)) {
            throw new IllegalArgumentException("the DHHC-1 key's CRC-32 does not match (mistyped or truncated)");
        }
        return new DhchapKey(hashId, key);
    }

    /** The DHHC-1 text of this key. */
    public String format() {
        ByteBuffer b = ByteBuffer.allocate(key.length + CRC_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.put(key).putInt((int) crc32(key));
        return PREFIX + String.format("%02x", hashId) + ":" + Base64.getEncoder().encodeToString(b.array()) + ":";
    }

    /** Reads and parses a secret file (its size bounded before reading, like every secret file). */
    public static DhchapKey read(String file) throws IOException {
        byte[] head;
        try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(file))) {
            head = in.readNBytes(MAX_TEXT_BYTES + 1);
        }
        if (head.length > MAX_TEXT_BYTES) {
            throw new IllegalArgumentException("more than " + MAX_TEXT_BYTES + " bytes: not a DHHC-1 secret");
        }
        return parse(new String(head, StandardCharsets.US_ASCII));
    }

    /** @return null when the file holds a valid DHHC-1 secret, else why not (never quoting the secret) */
    public static String problem(String file) {
        String invalid = ConfigPaths.problem(file);
        if (invalid != null) {
            return "the secret file " + invalid;
        }
        try {
            read(file);
            return null;
        } catch (IOException e) {
            return "cannot read secret file " + file + " (" + e.getClass().getSimpleName() + ")";
        } catch (IllegalArgumentException e) {
            return "the secret in " + file + ": " + e.getMessage();
        }
    }

    private static long crc32(byte[] key) {
        CRC32 crc = new CRC32();
        crc.update(key);
        return crc.getValue();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhchapKey k && k.hashId == hashId && Arrays.equals(k.key, key);
    }

    @Override
    public int hashCode() {
        return 31 * hashId + Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return "DhchapKey[hashId=" + hashId + ", key=(hidden)]";
    }
}
