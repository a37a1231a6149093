package dev.ferry.cli.admin;

/** A change that makes no sense on the running configuration (no such target, LUN already used, ...). */
final class Refused extends Exception {
    Refused(String message) {
        super(message);
    }
}
