package dev.ferry.core.unit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The stable identity of one storage resource, rendered the same way by every protocol: the SCSI frontend's VPD
 * 0x80/0x83 designators and the NVMe frontend's serial/EUI-64/NGUID/UUID all come from here, so a LUN and a
 * namespace over the same backstore are recognisably the same disk, across restarts.
 *
 * @param serial   unit serial number (printable ASCII, at most 20 characters to fit NVMe's SN field)
 * @param naa      64-bit NAA designator (NAA type 3h, locally assigned: SPC-4 7.8.6.6.3)
 * @param eui64    64-bit EUI with the locally-administered bit set (NVMe EUI64, SCSI EUI-64 designator)
 * @param nguidHigh first 8 bytes of the 128-bit id (NVMe NGUID, SCSI EUI-64 based 16-byte designator)
 * @param nguidLow  last 8 bytes of the 128-bit id
 * @param vendor   T10 vendor identification (8 characters at most)
 * @param product  product identification (16 characters at most)
 * @param revision product revision level (4 characters at most)
 */
public record UnitIdentity(
        String serial, long naa, long eui64, long nguidHigh, long nguidLow,
        String vendor, String product, String revision) {

    public static final String VENDOR = "FERRY";
    public static final String REVISION = "0001";
    /** NVMe base 5.17.2.1 Identify Controller SN is 20 ASCII characters; every protocol gets the same serial. */
    public static final int MAX_SERIAL = 20;
    private static final long NAA_LOCALLY_ASSIGNED = 0x3L << 60;
    private static final long NAA_VALUE_MASK = (1L << 60) - 1;
    /** IEEE EUI: bit 1 of the first octet set = locally administered, bit 0 clear = individual. */
    private static final long EUI_LOCAL = 0x02L << 56;
    private static final long EUI_GROUP = 0x01L << 56;

    /**
     * Derives an identity deterministically from a seed (the backstore name plus an optional configured salt),
     * so the same configuration always yields the same ids and different backstores get different ones.
     */
    public static UnitIdentity derive(String seed, String product) {
        ByteBuffer h = ByteBuffer.wrap(sha256("ferry-unit:" + seed));
        long a = h.getLong();
        long b = h.getLong();
        long c = h.getLong();
        long eui = (a | EUI_LOCAL) & ~EUI_GROUP;
        String serial = HexFormat.of().withUpperCase().toHexDigits(c);
        return new UnitIdentity(serial, NAA_LOCALLY_ASSIGNED | (a & NAA_VALUE_MASK), eui, eui, b,
                VENDOR, product, REVISION);
    }

    /**
     * A passed-through device's own inquiry strings and serial number with Ferry's derived designators (NAA, EUI-64,
     * NGUID), as for {@link #derive}. The designators stay Ferry's even where the device has its own NAA: the
     * exported unit is a different logical unit from the local disk (Ferry answers its INQUIRY, reservations and
     * mode pages, and may export fewer blocks), so sharing the device's NAA would let multipath merge the local
     * disk and the export as two paths to one unit; an NAA 6h (16 bytes) would not fit NVMe's EUI-64 either.
     *
     * @param serial the device's serial number; one longer than {@link #MAX_SERIAL} keeps its last characters
     *               (where serials put what tells two drives of a model apart), a blank one the derived serial
     */
    public static UnitIdentity ofDevice(String seed, String vendor, String product, String revision, String serial) {
        UnitIdentity d = derive(seed, product);
        String s = printable(serial);
        return new UnitIdentity(s.isEmpty() ? d.serial : s.substring(Math.max(0, s.length() - MAX_SERIAL)),
                d.naa, d.eui64, d.nguidHigh, d.nguidLow, clip(printable(vendor), 8, VENDOR),
                clip(printable(product), 16, ""), clip(printable(revision), 4, ""));
    }

    /** Printable ASCII only (INQUIRY strings, SPC-4 4.3.1), without surrounding spaces. */
    private static String printable(String s) {
        return s == null ? "" : s.replaceAll("[^\\x20-\\x7e]", "").trim();
    }

    private static String clip(String s, int max, String ifEmpty) {
        return s.isEmpty() ? ifEmpty : s.substring(0, Math.min(max, s.length())).trim();
    }

    /** The 16 bytes of the 128-bit id, big-endian. */
    public byte[] nguid() {
        return ByteBuffer.allocate(16).putLong(nguidHigh).putLong(nguidLow).array();
    }

    /** An RFC 4122 name-based (version 5 style) UUID built from the 128-bit id, for NVMe's UUID descriptor. */
    public java.util.UUID uuid() {
        long hi = (nguidHigh & ~0xF000L) | 0x5000L;
        long lo = (nguidLow & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new java.util.UUID(hi, lo);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
