package dev.accesskeyrotator.cli;

/**
 * An expected failure with its documented exit code and one line for the person or the log (the credentials
 * commands' cache and starting-key problems). No picocli here: the cached credential_process path throws it too.
 */
final class CommandFailure extends Exception {
    final ExitCode exitCode;

    CommandFailure(ExitCode exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }
}
