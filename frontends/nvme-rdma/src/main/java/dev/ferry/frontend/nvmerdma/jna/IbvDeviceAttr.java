package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Pointer;

/**
 * {@code struct ibv_device_attr}, 232 bytes (the field Ferry reads):
 * <pre>
 * 0 char fw_ver[64]   64 node_guid   72 sys_image_guid   80 max_mr_size   88 page_size_cap
 * 96 vendor_id   100 vendor_part_id   104 hw_ver   108 max_qp   112 max_qp_wr   116 device_cap_flags
 * 120 max_sge   124 max_sge_rd   128 max_cq   132 int max_cqe
 * </pre>
 */
public final class IbvDeviceAttr {
    public static final int SIZE = 232;
    static final int MAX_CQE = 132;

    private IbvDeviceAttr() {
    }

    /** Entries one CQ may have on this device. */
    public static int maxCqe(Pointer attr) { return attr.getInt(MAX_CQE); }
}
