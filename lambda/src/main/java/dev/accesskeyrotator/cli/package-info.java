/**
 * The command line: {@code run} (the Lambda's code path from a shell, with the operator's credentials), the key
 * owner's {@code fetch}, and {@code credentials}, a machine's credential_process that follows every rotation.
 *
 * <p>Owns: argument parsing, exit codes, terminal output, the credentials file and the credentials cache.
 * <p>Must not import: dev.accesskeyrotator.lambda
 */
package dev.accesskeyrotator.cli;
