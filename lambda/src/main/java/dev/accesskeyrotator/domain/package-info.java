/**
 * The rotation contract's per-user rules: from one user's observed keys, secret, clock and configuration to a plan
 * of {@link dev.accesskeyrotator.domain.Step}s and findings. Pure Java, no I/O, so every rule is tested without AWS.
 *
 * <p>Owns: the rules, the key schedule they decide from (every date the rotator acts on), and the shapes they speak
 * in (keys, secret states, steps, plans, findings).
 * <p>Must not import: software.amazon, com.fasterxml, dev.accesskeyrotator.port, dev.accesskeyrotator.service,
 * dev.accesskeyrotator.aws, dev.accesskeyrotator.wiring, dev.accesskeyrotator.cli, dev.accesskeyrotator.lambda,
 * dev.accesskeyrotator.status
 */
package dev.accesskeyrotator.domain;
