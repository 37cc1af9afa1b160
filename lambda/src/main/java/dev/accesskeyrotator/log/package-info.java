/**
 * One JSON object per log line, and the project's one Jackson mapper. Callers pass key ids, user names and AWS
 * error codes; never secret values or whole SDK responses.
 *
 * <p>Owns: the log format and the JSON form of the contract's vocabulary.
 * <p>Must not import: software.amazon, dev.accesskeyrotator.service, dev.accesskeyrotator.aws,
 * dev.accesskeyrotator.wiring, dev.accesskeyrotator.cli, dev.accesskeyrotator.lambda
 */
package dev.accesskeyrotator.log;
