package dev.ferry.frontend.iscsi.pdu;

/** Text Request (RFC 7143 11.10) and Text Response (11.11). */
public final class TextPdu {
    public static final int FLAG_FINAL = 0x80;
    public static final int FLAG_CONTINUE = 0x40;
    public static final int OFFSET_TTT = 20; // 11.10.4 / 11.11.4

    private TextPdu() {
    }

    public static boolean finalBit(IscsiPdu p) { return (p.flags() & FLAG_FINAL) != 0; }
    public static boolean cont(IscsiPdu p) { return (p.flags() & FLAG_CONTINUE) != 0; }
    public static int ttt(IscsiPdu p) { return p.u32(OFFSET_TTT); }

    public static IscsiPdu request(boolean fin, boolean cont, int itt, int ttt, int cmdSn, int expStatSn) {
        return IscsiPdu.create(Opcode.TEXT_REQUEST).immediate(true)
                .flags((fin ? FLAG_FINAL : 0) | (cont ? FLAG_CONTINUE : 0)).itt(itt).put32(OFFSET_TTT, ttt)
                .put32(24, cmdSn).put32(28, expStatSn);
    }

    public static IscsiPdu response(boolean fin, boolean cont, int itt, int ttt, long lun) {
        return IscsiPdu.create(Opcode.TEXT_RESPONSE).flags((fin ? FLAG_FINAL : 0) | (cont ? FLAG_CONTINUE : 0))
                .itt(itt).put32(OFFSET_TTT, ttt).lun(lun);
    }
}
