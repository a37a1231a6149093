package dev.ferry.backend.rbd;

/** One image of a pool, as {@code ferry rbd ls} lists it. */
public record RbdImageInfo(String name, long sizeBytes) {
}
