/**
 * Configuration read once per run: the deploy-time settings from the environment and the rotation parameters from
 * Parameter Store, validated into immutable records whose errors name the setting, the value and what is allowed.
 *
 * <p>Owns: parsing and validation, with the names and ranges from the contract module.
 * <p>Must not import: software.amazon, com.fasterxml, dev.accesskeyrotator.port, dev.accesskeyrotator.service,
 * dev.accesskeyrotator.aws, dev.accesskeyrotator.wiring, dev.accesskeyrotator.cli, dev.accesskeyrotator.lambda
 */
package dev.accesskeyrotator.config;
