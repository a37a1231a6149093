package dev.ferry.frontend.scsi;

/**
 * Thrown while decoding or executing a command to end it with CHECK CONDITION and the given sense data. Carries no
 * stack trace: it is a control-flow result, not a bug.
 */
final class CheckCondition extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient SenseData sense;

    CheckCondition(SenseData sense) {
        super(null, null, false, false);
        this.sense = sense;
    }

    SenseData sense() {
        return sense;
    }

    static CheckCondition invalidFieldInCdb(int byteNumber, int bit) {
        return new CheckCondition(SenseData.invalidFieldInCdb(byteNumber, bit));
    }

    static CheckCondition invalidFieldInParameterList(int byteNumber, int bit) {
        return new CheckCondition(SenseData.invalidFieldInParameterList(byteNumber, bit));
    }

    static CheckCondition lbaOutOfRange() {
        return new CheckCondition(SenseData.lbaOutOfRange());
    }

    static CheckCondition parameterListLengthError() {
        return new CheckCondition(SenseData.parameterListLengthError());
    }
}
