/**
 * The Lambda entry point: builds the clients and the service once per execution environment, turns the remaining
 * invocation time into the run's deadline, and primes the snapshot for SnapStart.
 *
 * <p>Owns: the handler and SnapStart hooks.
 * <p>Must not import: dev.accesskeyrotator.cli
 */
package dev.accesskeyrotator.lambda;
