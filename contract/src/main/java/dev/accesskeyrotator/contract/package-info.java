/**
 * The facts the rotation function and the CDK stack must agree on, each defined once: the opt-in tag syntax, the
 * parameter catalogue, environment variable names, metric names, notice attributes and event types, the secret
 * document's fields and the outcome vocabulary.
 *
 * <p>Owns: names, defaults, allowed values and their descriptions. Both the function and the stack depend on it, and
 * neither may pull the other's world in, so it uses the JDK only.
 * <p>Must not import: software, com, org, io, dev.accesskeyrotator.config, dev.accesskeyrotator.domain,
 * dev.accesskeyrotator.port, dev.accesskeyrotator.service, dev.accesskeyrotator.aws, dev.accesskeyrotator.log,
 * dev.accesskeyrotator.cli, dev.accesskeyrotator.lambda, dev.accesskeyrotator.infra
 */
package dev.accesskeyrotator.contract;
