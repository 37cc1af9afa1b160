/**
 * The facts the rotation function and the CDK stack must agree on, each defined once: the opt-in tag syntax, the
 * parameter catalogue, environment variable names, metric names, notice attributes and event types, the secret
 * document's fields and the outcome vocabulary.
 *
 * <p>Owns: names, defaults, allowed values and their descriptions. Must not import anything outside the JDK (no AWS
 * SDK, no CDK, no Jackson): both the function and the stack depend on it, and neither may pull the other's world in.
 */
package dev.accesskeyrotator.contract;
