package dev.ferry.frontend.nvme.admin;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Fixed-width text fields: ASCII, left justified, space padded (Base 2.0 1.5 "ASCII string"); NQNs NUL padded. */
final class Ascii {
    private Ascii() {
    }

    static void spacePadded(ByteBuf out, int offset, int width, String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < width; i++) {
            out.setByte(offset + i, i < b.length ? b[i] : ' ');
        }
    }

    static void nulPadded(ByteBuf out, int offset, int width, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        out.setBytes(offset, b, 0, Math.min(b.length, width - 1));
    }
}
