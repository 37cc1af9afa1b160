/**
 * The adapters: the ports implemented with the AWS SDK for Java v2, clients built once with an explicit region,
 * the URL-connection HTTP client and one retry strategy per client. SDK exceptions become
 * {@link dev.accesskeyrotator.port.AwsFailure} here and nowhere else.
 *
 * They know the ports and the domain's shapes, never the service or the status view that use them: the wiring package
 * puts the two together.
 *
 * <p>Owns: every SDK call the function makes.
 * <p>Must not import: dev.accesskeyrotator.service, dev.accesskeyrotator.status, dev.accesskeyrotator.wiring,
 * dev.accesskeyrotator.cli, dev.accesskeyrotator.lambda
 */
package dev.accesskeyrotator.aws;
