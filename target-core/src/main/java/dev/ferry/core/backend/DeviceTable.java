package dev.ferry.core.backend;

import java.util.ArrayList;
import java.util.List;

/** Renders {@link DeviceInfo}s as a fixed-width text table, one device per line, for a terminal. */
public final class DeviceTable {
    private static final String[] HEADER = {
        "DEVICE", "KIND", "SIZE", "LBS/PBS", "ROT", "DISCARD", "WCACHE", "RO", "STATE", "BACKENDS", "MODEL", "SERIAL",
        "STABLE PATH"};

    private DeviceTable() {
    }

    public static String render(List<DeviceInfo> devices) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (DeviceInfo d : devices) {
            rows.add(new String[] {
                d.path(), d.kind(), d.empty() ? "-" : humanSize(d.sizeBytes()),
                d.logicalBlockSize() + "/" + d.physicalBlockSize(), yesNo(d.rotational()), yesNo(d.discard()),
                yesNo(d.writeCache()), yesNo(d.readOnly()), state(d), String.join(",", d.backends()),
                dash(d.model()), dash(d.serial()), d.stablePaths().isEmpty() ? "-" : d.stablePaths().get(0)});
        }
        int[] width = new int[HEADER.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                sb.append(i == r.length - 1 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
            }
            sb.append(System.lineSeparator());
        }
        return sb.toString();
    }

    private static String state(DeviceInfo d) {
        if (d.empty()) {
            return "empty";
        }
        if (!d.mountPoints().isEmpty()) {
            return "mounted:" + d.mountPoints().get(0);
        }
        if (!d.holders().isEmpty()) {
            return "held:" + String.join(",", d.holders());
        }
        return "free";
    }

    /** Binary units, one decimal: 64.0M, 1.8T. */
    public static String humanSize(long bytes) {
        String units = "BKMGTPE";
        int u = 0;
        double v = bytes;
        while (v >= 1024 && u < units.length() - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + "B" : String.format("%.1f%c", v, units.charAt(u));
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    private static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
