/**
 * One rotation run: discovery, triage, and per user the read, the rules' plan and its execution through the
 * rotation protocol; the run report, notices and metrics. Speaks to AWS only through the ports.
 *
 * <p>Owns: the run, the crash-safe protocol (RotationProtocol), step execution (StepExecutor), failure
 * classification (FailureClassifier), secret ownership and policy, and what the report, notices and metrics say.
 * <p>Must not import: software.amazon, dev.accesskeyrotator.aws, dev.accesskeyrotator.wiring, dev.accesskeyrotator.cli,
 * dev.accesskeyrotator.lambda, dev.accesskeyrotator.status
 */
package dev.accesskeyrotator.service;
