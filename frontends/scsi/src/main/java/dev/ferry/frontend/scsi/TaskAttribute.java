package dev.ferry.frontend.scsi;

/** SAM-5 8.9 task attributes (iSCSI ATTR field values 0-4, RFC 7143 11.3.1). */
public enum TaskAttribute {
    UNTAGGED, SIMPLE, ORDERED, HEAD_OF_QUEUE, ACA;

    public static TaskAttribute fromIscsi(int attr) {
        return switch (attr) {
            case 0 -> UNTAGGED;
            case 2 -> ORDERED;
            case 3 -> HEAD_OF_QUEUE;
            case 4 -> ACA;
            default -> SIMPLE;
        };
    }
}
