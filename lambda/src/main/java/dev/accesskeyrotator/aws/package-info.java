/**
 * The adapters: the ports implemented with the AWS SDK for Java v2, clients built once with an explicit region,
 * the URL-connection HTTP client and one retry strategy per client. SDK exceptions become
 * {@link dev.accesskeyrotator.port.AwsFailure} here and nowhere else.
 *
 * <p>Owns: every SDK call the function makes, and the wiring of service to adapters (RotatorFactory).
 * <p>Must not import: dev.accesskeyrotator.cli, dev.accesskeyrotator.lambda
 */
package dev.accesskeyrotator.aws;
