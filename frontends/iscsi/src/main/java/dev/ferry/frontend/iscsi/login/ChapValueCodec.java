package dev.ferry.frontend.iscsi.login;

import java.util.Base64;
import java.util.HexFormat;

/**
 * The binary-value encodings of RFC 7143 6.1 that CHAP_C and CHAP_R use: hex-constants ({@code 0x}/{@code 0X}) and
 * base64-constants ({@code 0b}/{@code 0B}, RFC 4648). We always send hex, like LIO and open-iscsi.
 */
public final class ChapValueCodec {
    /** RFC 7143 12.1.3: the binary length of CHAP_C and CHAP_R must not exceed 1024 bytes. */
    public static final int MAX_BINARY_LENGTH = 1024;

    private ChapValueCodec() {
    }

    /**
     * @return the decoded bytes: at least one, at most {@link #MAX_BINARY_LENGTH}
     * @throws IllegalArgumentException naming the problem, never quoting the value (it may be a response)
     */
    public static byte[] decode(String value) {
        if (value.length() < 3) {
            throw new IllegalArgumentException("empty or unprefixed binary value");
        }
        String prefix = value.substring(0, 2);
        String body = value.substring(2);
        byte[] bytes;
        if (prefix.equals("0x") || prefix.equals("0X")) {
            // 6.1: n hex digits are (n+1)/2 bytes, so an odd count has an implied leading zero nibble.
            if (body.length() > 2 * MAX_BINARY_LENGTH) {
                throw new IllegalArgumentException("binary value longer than " + MAX_BINARY_LENGTH + " bytes");
            }
            try {
                bytes = HexFormat.of().parseHex(body.length() % 2 == 0 ? body : "0" + body);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid hex-constant");
            }
        } else if (prefix.equals("0b") || prefix.equals("0B")) {
            if (body.length() > (MAX_BINARY_LENGTH + 2) / 3 * 4) {
                throw new IllegalArgumentException("binary value longer than " + MAX_BINARY_LENGTH + " bytes");
            }
            try {
                bytes = Base64.getDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid base64-constant");
            }
        } else {
            throw new IllegalArgumentException("binary value without 0x or 0b prefix");
        }
        if (bytes.length == 0 || bytes.length > MAX_BINARY_LENGTH) {
            throw new IllegalArgumentException("binary value of " + bytes.length + " bytes (1-" + MAX_BINARY_LENGTH + ")");
        }
        return bytes;
    }

    /** A hex-constant: {@code 0x} and two lower-case digits per byte. */
    public static String encode(byte[] bytes) {
        return "0x" + HexFormat.of().formatHex(bytes);
    }
}
