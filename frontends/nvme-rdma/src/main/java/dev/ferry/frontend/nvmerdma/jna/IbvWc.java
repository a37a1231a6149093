package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Pointer;

/**
 * {@code struct ibv_wc}, 48 bytes (the fields Ferry reads):
 * <pre>
 * 0  uint64_t wr_id
 * 8  enum ibv_wc_status status
 * 12 enum ibv_wc_opcode opcode
 * 16 uint32_t vendor_err
 * 20 uint32_t byte_len
 * </pre>
 */
public final class IbvWc {
    public static final int SIZE = 48;
    static final int WR_ID = 0;
    static final int STATUS = 8;
    static final int OPCODE = 12;
    static final int BYTE_LEN = 20;

    private IbvWc() {
    }

    public static long wrId(Pointer wc) { return wc.getLong(WR_ID); }
    public static int status(Pointer wc) { return wc.getInt(STATUS); }
    public static int opcode(Pointer wc) { return wc.getInt(OPCODE); }
    public static int byteLength(Pointer wc) { return wc.getInt(BYTE_LEN); }
}
