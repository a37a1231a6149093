package dev.ferry.frontend.scsi;

import dev.ferry.core.unit.reservation.Registrant;
import dev.ferry.core.unit.reservation.ReservationState;
import dev.ferry.core.unit.reservation.ReservationState.Registration;
import dev.ferry.core.unit.reservation.ReservationType;
import java.io.ByteArrayOutputStream;
import java.util.Map;

/**
 * SPC-4 6.15 PERSISTENT RESERVE IN (5Eh): one handler per service action, each answering from one snapshot of the
 * unit's reservation state. Lengths in the headers are always the full ones; the allocation length only cuts the
 * data (SPC-4 4.2.5.6).
 *
 * <pre>
 * CDB: byte 1 SERVICE ACTION(4-0) | bytes 7-8 ALLOCATION LENGTH | byte 9 CONTROL
 * </pre>
 */
final class PrInCommand {
    static final int READ_KEYS = 0x00;
    static final int READ_RESERVATION = 0x01;
    static final int REPORT_CAPABILITIES = 0x02;
    static final int READ_FULL_STATUS = 0x03;

    /** READ FULL STATUS descriptor byte 12 (SPC-4 6.15.5). */
    static final int R_HOLDER = 0x01;
    static final int ALL_TG_PT = 0x02;
    /** SPC-4 6.15.4 ALLOW COMMANDS 001b: TEST UNIT READY is allowed through Write Exclusive and Exclusive Access. */
    static final int ALLOW_COMMANDS_TUR = 0b001;

    private PrInCommand() {
    }

    static void readKeys(ScsiCommand c) {
        run(c, PrInCommand::readKeys);
    }

    static void readReservation(ScsiCommand c) {
        run(c, PrInCommand::readReservation);
    }

    static void reportCapabilities(ScsiCommand c) {
        run(c, (s, cmd) -> reportCapabilities(s, cmd.lu.reservations.persistenceCapable()));
    }

    static void readFullStatus(ScsiCommand c) {
        run(c, PrInCommand::readFullStatus);
    }

    private interface Encoder {
        byte[] encode(ReservationState s, ScsiCommand c);
    }

    private static void run(ScsiCommand c, Encoder e) {
        if (c.lu.reservationHolder() != null) {
            // SPC-4 5.13.3 (SPC-2 5.5.1): a RESERVE(6) reservation makes every PERSISTENT RESERVE command conflict
            c.status(ScsiResponse.RESERVATION_CONFLICT);
            return;
        }
        int allocationLength = Cdb.u16(c.cdb, 7);
        byte[] data = e.encode(c.lu.reservations.state(), c);
        c.dataIn(data, Math.min(allocationLength, data.length));
    }

    /**
     * SPC-4 6.15.2: bytes 0-3 PRGENERATION | bytes 4-7 ADDITIONAL LENGTH (n-7) | bytes 8-n one 8-byte RESERVATION
     * KEY per registered I_T nexus.
     */
    static byte[] readKeys(ReservationState s, ScsiCommand c) {
        byte[] d = new byte[8 + 8 * s.registrations().size()];
        Cdb.put32(d, 0, s.generation() & 0xFFFFFFFFL);
        Cdb.put32(d, 4, d.length - 8);
        int at = 8;
        for (Registration r : s.registrations().values()) {
            Cdb.put64(d, at, r.key());
            at += 8;
        }
        return d;
    }

    /**
     * SPC-4 6.15.3: bytes 0-3 PRGENERATION | bytes 4-7 ADDITIONAL LENGTH (0 or 10h), then when reserved: bytes 8-15
     * RESERVATION KEY (zero for the all-registrants types) | bytes 16-19 obsolete | byte 21 SCOPE(7-4) TYPE(3-0)
     * | bytes 22-23 obsolete.
     */
    static byte[] readReservation(ReservationState s, ScsiCommand c) {
        byte[] d = new byte[s.reservation() != null ? 24 : 8];
        Cdb.put32(d, 0, s.generation() & 0xFFFFFFFFL);
        Cdb.put32(d, 4, d.length - 8);
        if (s.reservation() != null) {
            Cdb.put64(d, 8, s.reservationKey());
            d[21] = (byte) ((PrOutCommand.SCOPE_LU << 4) | s.reservation().type().code);
        }
        return d;
    }

    /**
     * SPC-4 6.15.4, 8 bytes:
     * <pre>
     * Bytes 0-1  LENGTH (0008h)
     * Byte 2     RLR_C(7)=0 | CRH(4)=1 | SIP_C(3)=0 | ATP_C(2)=0 | PTPL_C(0)
     * Byte 3     TMV(7)=1 | ALLOW COMMANDS(6-4) | PTPL_A(0)
     * Bytes 4-5  PERSISTENT RESERVATION TYPE MASK: all six types
     * </pre>
     * CRH: RESERVE(6)/RELEASE(6) follow SPC-4 5.13.3. SPEC_I_PT and ALL_TG_PT are refused, so SIP_C and ATP_C are
     * zero. PTPL_C only with a state directory to persist to.
     */
    static byte[] reportCapabilities(ReservationState s, boolean persistenceCapable) {
        byte[] d = new byte[8];
        Cdb.put16(d, 0, d.length);
        d[2] = (byte) (0x10 | (persistenceCapable ? 0x01 : 0));
        d[3] = (byte) (0x80 | (ALLOW_COMMANDS_TUR << 4) | (s.aptpl() ? 0x01 : 0));
        int mask = 0;
        for (ReservationType t : ReservationType.values()) {
            mask |= typeMaskBit(t);
        }
        Cdb.put16(d, 4, mask);
        return d;
    }

    /**
     * The bit of a type in the PERSISTENT RESERVATION TYPE MASK of REPORT CAPABILITIES (SPC-4 6.15.4, bytes 4-5
     * read as one big-endian 16-bit field): WR_EX_AR 8000h, EX_AC_RO 4000h, WR_EX_RO 2000h, EX_AC 0800h,
     * WR_EX 0200h, EX_AC_AR 0001h.
     */
    static int typeMaskBit(ReservationType t) {
        return switch (t) {
            case WRITE_EXCLUSIVE -> 0x0200;
            case EXCLUSIVE_ACCESS -> 0x0800;
            case WRITE_EXCLUSIVE_REGISTRANTS_ONLY -> 0x2000;
            case EXCLUSIVE_ACCESS_REGISTRANTS_ONLY -> 0x4000;
            case WRITE_EXCLUSIVE_ALL_REGISTRANTS -> 0x8000;
            case EXCLUSIVE_ACCESS_ALL_REGISTRANTS -> 0x0001;
        };
    }

    /**
     * SPC-4 6.15.5: bytes 0-3 PRGENERATION | bytes 4-7 ADDITIONAL LENGTH (n-7), then per registration a full status
     * descriptor:
     * <pre>
     * Bytes 0-7   RESERVATION KEY
     * Byte 12     ALL_TG_PT(1)=0 | R_HOLDER(0)
     * Byte 13     SCOPE(7-4) | TYPE(3-0), when R_HOLDER
     * Bytes 18-19 RELATIVE TARGET PORT IDENTIFIER
     * Bytes 20-23 ADDITIONAL DESCRIPTOR LENGTH (n-23)
     * Bytes 24-n  TRANSPORTID of the initiator port
     * </pre>
     * An NVMe host registered on the same unit (through NVMe Reservation Register) has no SCSI initiator port: it
     * is reported as registered through every target port (ALL_TG_PT=1, RELATIVE TARGET PORT IDENTIFIER 0) with an
     * iSCSI initiator device TransportID (format 00b) carrying its host NQN, so the descriptors still match READ
     * KEYS one for one and a SCSI tool shows the NVMe host by name (see core ReservationMapping).
     */
    static byte[] readFullStatus(ReservationState s, ScsiCommand c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        out.writeBytes(new byte[8]);
        for (Map.Entry<Registrant, Registration> e : s.registrations().entrySet()) {
            Registrant who = e.getKey();
            byte[] tid = who.isNvmeHost() ? TransportIds.initiatorDevice(who.initiatorName())
                    : TransportIds.initiatorPort(who.initiatorPort());
            byte[] d = new byte[24 + tid.length];
            Cdb.put64(d, 0, e.getValue().key());
            if (who.isNvmeHost()) {
                d[12] = ALL_TG_PT;
            }
            if (s.isHolder(who)) {
                d[12] |= R_HOLDER;
                d[13] = (byte) ((PrOutCommand.SCOPE_LU << 4) | s.reservation().type().code);
            }
            Cdb.put16(d, 18, e.getKey().relativeTargetPort());
            Cdb.put32(d, 20, tid.length);
            System.arraycopy(tid, 0, d, 24, tid.length);
            out.writeBytes(d);
        }
        byte[] data = out.toByteArray();
        Cdb.put32(data, 0, s.generation() & 0xFFFFFFFFL);
        Cdb.put32(data, 4, data.length - 8);
        return data;
    }
}
