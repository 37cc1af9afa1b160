/**
 * Organization mode: the hub's three Lambda entry points behind its state machine (list the member accounts,
 * rotate one account, aggregate the results), the worker that enters one member account through its spoke role and
 * runs the same {@link dev.accesskeyrotator.service.RotationService} there, per-account parameter overrides, and the
 * organization report with its metrics.
 *
 * <p>Its SDK calls (STS AssumeRole, and the SDK's Organizations and S3 clients) stay in this package rather than in
 * {@code aws}: the single-account function's role is checked against every SDK call outside this package
 * (OperationsMatchPermissionsTest), and none of these calls is that role's business; the hub's roles and the spoke
 * role are checked against the calls their functions reach (HubOperationsMatchPermissionsTest). Their failures are
 * translated by {@link dev.accesskeyrotator.aws.AwsFailures}, as every adapter's are.
 *
 * <p>Owns: the hub's entry points, the per-account run and its result, the account list, the organization report.
 * <p>Must not import: dev.accesskeyrotator.cli, dev.accesskeyrotator.lambda, dev.accesskeyrotator.domain
 */
package dev.accesskeyrotator.org;
