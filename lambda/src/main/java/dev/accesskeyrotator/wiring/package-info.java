/**
 * The composition root: builds the rotation run and the status view from the settings, the SDK clients and the
 * adapters that implement the ports. It may see every layer below the entry points, and only the entry points
 * (the Lambda handler, the command line and the organization's handlers) may see it (PackageRulesTest).
 *
 * <p>Owns: which adapter serves which port, and how the run and the status view are put together (RotatorFactory).
 * <p>Must not import: dev.accesskeyrotator.cli, dev.accesskeyrotator.lambda, dev.accesskeyrotator.org
 */
package dev.accesskeyrotator.wiring;
