/**
 * The service's view of AWS: one small interface per service (IAM users and keys, user secrets, notices,
 * parameters) and {@link dev.accesskeyrotator.port.AwsFailure}, the few kinds of failure the service acts on.
 *
 * <p>Owns: what the service asks of AWS, in its own types.
 * <p>Must not import: software.amazon, com.fasterxml, dev.accesskeyrotator.service, dev.accesskeyrotator.aws,
 * dev.accesskeyrotator.wiring, dev.accesskeyrotator.cli, dev.accesskeyrotator.lambda
 */
package dev.accesskeyrotator.port;
