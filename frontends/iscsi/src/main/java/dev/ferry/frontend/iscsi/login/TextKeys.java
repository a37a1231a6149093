package dev.ferry.frontend.iscsi.login;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Text-mode key=value pairs, each terminated by NUL (RFC 7143 6.1). */
public final class TextKeys {
    /** RFC 7143 6.1: key names are at most 63 bytes. */
    public static final int MAX_KEY_LENGTH = 63;

    private TextKeys() {
    }

    /**
     * Parses the accumulated data segment(s) of a text or login request.
     *
     * @throws IllegalArgumentException on a pair without '=', an empty or over-long key name
     */
    public static List<Map.Entry<String, String>> parse(byte[] text) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= text.length; i++) {
            if (i == text.length || text[i] == 0) {
                if (i > start) {
                    String pair = new String(text, start, i - start, StandardCharsets.UTF_8);
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        // Not quoted: a broken pair may hold a CHAP value.
                        throw new IllegalArgumentException("a key=value pair without '=' or key");
                    }
                    String key = pair.substring(0, eq);
                    if (key.length() > MAX_KEY_LENGTH) {
                        throw new IllegalArgumentException("key name longer than 63 bytes");
                    }
                    out.add(Map.entry(key, pair.substring(eq + 1)));
                }
                start = i + 1;
            }
        }
        return out;
    }

    public static byte[] encode(List<Map.Entry<String, String>> pairs) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Map.Entry<String, String> e : pairs) {
            b.writeBytes((e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8));
            b.write(0);
        }
        return b.toByteArray();
    }

    public static ByteBuf encodeBuf(List<Map.Entry<String, String>> pairs) {
        return pairs.isEmpty() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(encode(pairs));
    }
}
