/**
 * The command line: {@code run} (the Lambda's code path from a shell, with the operator's credentials) and the key
 * owner's {@code fetch}.
 *
 * <p>Owns: argument parsing, exit codes, terminal output and the credentials file.
 * <p>Must not import: dev.accesskeyrotator.lambda
 */
package dev.accesskeyrotator.cli;
