package dev.ferry.frontend.nvme.io;

import dev.ferry.core.unit.reservation.Registrant;
import dev.ferry.core.unit.reservation.ReservationState;
import dev.ferry.core.unit.reservation.ReservationState.Registration;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.UUID;

/**
 * The Reservation Status Extended Data Structure a Reservation Report returns with EDS=1 (Base 2.0 7.8 Figures 394
 * and 396), little-endian:
 * <pre>
 * Header, 64 bytes:      0-3 GEN | 4 RTYPE | 5-6 REGCTL | 9 PTPLS | 10-63 reserved
 * Per registrant, 64:    0-1 CNTLID | 2 RCSTS (bit 0: holds the reservation) | 8-15 RKEY | 16-31 HOSTID
 * </pre>
 * Only the extended structure: a fabrics host has a 128-bit Host Identifier, so the 64-bit one (EDS=0) does not
 * exist for it (Base 2.0 5.27.1.25; nvmet and SPDK answer Host Identifier Inconsistent Format).
 *
 * <p>CNTLID is FFFFh for everyone: with the dynamic controller model a registration belongs to the host, not to a
 * controller (Figure 396). A SCSI I_T nexus registered on the same unit appears with a Host Identifier derived from
 * its initiator port name (the first 16 bytes of its SHA-256), stable and distinct per
 * nexus, so NVMe hosts see how many registrants there are and which of them holds the reservation.
 */
public final class ReservationReport {
    public static final int HEADER = 64;
    public static final int ENTRY = 64;
    // Header offsets (Figure 394)
    static final int GEN = 0;
    static final int RTYPE = 4;
    static final int REGCTL = 5;
    static final int PTPLS = 9;
    // Registered Controller Extended Data Structure offsets (Figure 396)
    static final int CNTLID = 0;
    static final int RCSTS = 2;
    static final int RKEY = 8;
    static final int HOSTID = 16;
    static final int CNTLID_DYNAMIC = 0xFFFF;

    private ReservationReport() {
    }

    /** The whole structure, {@code HEADER + ENTRY * registrations} bytes. */
    public static ByteBuf build(ReservationState s) {
        int size = HEADER + ENTRY * s.registrations().size();
        ByteBuf b = Unpooled.buffer(size, size).writeZero(size);
        b.setIntLE(GEN, s.generation());
        b.setByte(RTYPE, s.reservation() == null ? ReservationTypes.NONE : ReservationTypes.code(s.reservation().type()));
        b.setShortLE(REGCTL, s.registrations().size());
        b.setByte(PTPLS, s.aptpl() ? 1 : 0);
        int at = HEADER;
        for (Map.Entry<Registrant, Registration> e : s.registrations().entrySet()) {
            b.setShortLE(at + CNTLID, CNTLID_DYNAMIC);
            b.setByte(at + RCSTS, s.isHolder(e.getKey()) ? 1 : 0);
            b.setLongLE(at + RKEY, e.getValue().key());
            UUID id = hostId(e.getKey());
            // The Host Identifier is a byte string, the UUID's bytes in order (as Connect carries it).
            b.setLong(at + HOSTID, id.getMostSignificantBits());
            b.setLong(at + HOSTID + 8, id.getLeastSignificantBits());
            at += ENTRY;
        }
        return b;
    }

    /** An NVMe host's own identifier, or one derived from a SCSI initiator port name. */
    static UUID hostId(Registrant r) {
        if (r.isNvmeHost()) {
            return r.nvmeHostId();
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(r.initiatorPort().getBytes(StandardCharsets.UTF_8));
            long msb = 0;
            long lsb = 0;
            for (int i = 0; i < 8; i++) {
                msb = msb << 8 | (h[i] & 0xFF);
                lsb = lsb << 8 | (h[8 + i] & 0xFF);
            }
            return new UUID(msb, lsb);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
