package dev.ferry.frontend.nvme.admin;

import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.UnitIdentity;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.NavigableMap;
import java.util.UUID;

/**
 * Identify CNS 02h, Active Namespace ID list (Base 2.0 5.17.2.2: up to 1024 NSIDs greater than the command's NSID,
 * ascending, zero filled), and CNS 03h, Namespace Identification Descriptor list (5.17.2.3 Figures 278/279).
 */
public final class NamespaceLists {
    public static final int SIZE = 4096;
    // Namespace Identifier Types (Figure 279)
    public static final int NIDT_EUI64 = 1;
    public static final int NIDT_NGUID = 2;
    public static final int NIDT_UUID = 3;
    public static final int NIDT_CSI = 4;

    private NamespaceLists() {
    }

    /** CNS 02h: the active NSIDs above {@code after}, ascending, zero-padded. */
    public static ByteBuf activeNamespaces(NavigableMap<Long, LogicalUnit> active, long after) {
        ByteBuf b = Unpooled.buffer(SIZE, SIZE).writeZero(SIZE);
        int i = 0;
        for (Long nsid : active.tailMap(after, false).keySet()) {
            if (i == SIZE / 4) {
                break;
            }
            b.setIntLE(4 * i++, nsid.intValue());
        }
        return b;
    }

    /** Each descriptor: NIDT byte 0, NIDL byte 1, reserved 2-3, NID from byte 4; a zero NIDL ends the list. */
    public static ByteBuf descriptors(UnitIdentity id) {
        ByteBuf b = Unpooled.buffer(SIZE, SIZE);
        b.writeByte(NIDT_EUI64).writeByte(8).writeShort(0).writeLong(id.eui64());
        b.writeByte(NIDT_NGUID).writeByte(16).writeShort(0).writeBytes(id.nguid());
        UUID uuid = id.uuid();
        b.writeByte(NIDT_UUID).writeByte(16).writeShort(0)
                .writeLong(uuid.getMostSignificantBits()).writeLong(uuid.getLeastSignificantBits());
        b.writeByte(NIDT_CSI).writeByte(1).writeShort(0).writeByte(IdentifyCommandSet.CSI_NVM).writeZero(3);
        b.writeZero(b.writableBytes());
        return b;
    }
}
