/**
 * The read-only status view for administrators and auditors: every opted-in user's keys, what the rules make of
 * them and the next event on their key schedule, and compliance findings outside the rotator, all from bulk metadata
 * (no secret value is read, nothing is changed).
 *
 * <p>Owns: the status view, its user lines and the compliance findings.
 * <p>Must not import: software.amazon, dev.accesskeyrotator.aws, dev.accesskeyrotator.wiring, dev.accesskeyrotator.cli,
 * dev.accesskeyrotator.lambda, dev.accesskeyrotator.org
 */
package dev.accesskeyrotator.status;
