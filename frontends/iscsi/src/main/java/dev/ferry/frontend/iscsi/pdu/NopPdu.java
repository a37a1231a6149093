package dev.ferry.frontend.iscsi.pdu;

/** NOP-Out (RFC 7143 11.18) and NOP-In (11.19): the same layout, ITT at 16 and Target Transfer Tag at 20. */
public final class NopPdu {
    public static final int OFFSET_TTT = 20; // 11.18.2 / 11.19.2

    private NopPdu() {
    }

    public static int ttt(IscsiPdu p) { return p.u32(OFFSET_TTT); }

    /** A NOP-In (F bit set). */
    public static IscsiPdu nopIn(int itt, int ttt, long lun) {
        return IscsiPdu.create(Opcode.NOP_IN).flags(0x80).itt(itt).put32(OFFSET_TTT, ttt).lun(lun);
    }

    /** A NOP-Out (F bit set). */
    public static IscsiPdu nopOut(int itt, int ttt, int cmdSn, int expStatSn, boolean immediate) {
        return IscsiPdu.create(Opcode.NOP_OUT).immediate(immediate).flags(0x80).itt(itt).put32(OFFSET_TTT, ttt)
                .put32(24, cmdSn).put32(28, expStatSn);
    }
}
