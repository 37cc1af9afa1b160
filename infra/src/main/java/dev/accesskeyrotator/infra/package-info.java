/**
 * The CDK app: one stack with the function, its role, keys, topics, schedule, parameters and alarms, built from the
 * facts in the contract module and checked by cdk-nag on every synth.
 *
 * <p>Owns: every AWS resource and permission of a deployment.
 * <p>Must not import: dev.accesskeyrotator.service, dev.accesskeyrotator.aws, dev.accesskeyrotator.domain
 * (the stack knows the function only by its jar and the contract)
 */
package dev.accesskeyrotator.infra;
