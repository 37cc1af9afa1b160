package dev.accesskeyrotator.infra;

import dev.accesskeyrotator.contract.OptInTag;
import dev.accesskeyrotator.contract.Organization;
import software.amazon.awscdk.Acknowledgment;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnParameter;
import software.amazon.awscdk.DefaultStackSynthesizer;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.iam.ArnPrincipal;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.Policy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.kms.Key;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What every member account gets from the hub's StackSet: the role the hub's worker assumes and the account's own
 * KMS key for its user secrets. The role trusts exactly the hub worker's role ARN, and only from inside the
 * organization; it may touch keys of opted-in users only, and read or write user secrets only with this account's
 * key.
 *
 * <p>The template has no assets (no Lambda code, no custom resource), so a StackSet can deploy it as its template
 * body; it is synthesized without the CDK bootstrap check, as member accounts are not bootstrapped.
 */
public final class SpokeStack extends Stack {
    public static final String HUB_ROLE_PARAMETER = "HubWorkerRoleArn";
    public static final String ORGANIZATION_PARAMETER = "OrganizationId";

    private final Role spokeRole;
    private final Key userSecretsKey;
    private final Policy keyPolicy;

    public SpokeStack(Construct scope, String id, OrganizationProps props) {
        super(scope, id, StackProps.builder()
                .synthesizer(DefaultStackSynthesizer.Builder.create().generateBootstrapVersionRule(false).build())
                .analyticsReporting(false)
                .description("Access Key Rotator spoke: the role the organization hub assumes to rotate this"
                        + " account's opted-in IAM users' keys, and this account's key for their secrets")
                .build());
        RotatorStackProps base = props.base();
        CfnParameter hubRole = CfnParameter.Builder.create(this, HUB_ROLE_PARAMETER).type("String")
                .allowedPattern("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+")
                .description("The hub worker's role, the only principal this account's spoke role trusts").build();
        CfnParameter organization = CfnParameter.Builder.create(this, ORGANIZATION_PARAMETER).type("String")
                .allowedPattern("o-[a-z0-9]{10,32}")
                .description("The organization the hub must belong to").build();

        this.spokeRole = Role.Builder.create(this, "SpokeRole")
                .roleName(props.spokeRoleName())
                .description("Access Key Rotator: lets the organization hub rotate keys of IAM users tagged "
                        + base.optInTag())
                .assumedBy(new ArnPrincipal(hubRole.getValueAsString()).withConditions(Map.of(
                        "StringEquals", Map.of("aws:PrincipalOrgID", organization.getValueAsString()))))
                .build();
        this.userSecretsKey = Key.Builder.create(this, "UserSecretsKey")
                .description("Access Key Rotator: encrypts each user's access key secret in this account")
                .enableKeyRotation(true)
                .policy(KeyPolicies.spokeUserSecretsKey(spokeRole, base.secretNamePrefix(), base.delegatedReaders()))
                // The user secrets outlive the spoke; without this key they could not be read any more.
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        this.keyPolicy = confineToOwnKey();
        grant(base);
        acknowledge(base);
    }

    /** The same statements as the single-account function's role, minus what stays in the hub (notices, config). */
    private void grant(RotatorStackProps base) {
        OptInTag tag = base.optInTag();
        String anyUser = "arn:" + Aws.PARTITION + ":iam::" + Aws.ACCOUNT_ID + ":user/*";
        String userSecrets = "arn:" + Aws.PARTITION + ":secretsmanager:" + Aws.REGION + ":" + Aws.ACCOUNT_ID
                + ":secret:" + base.secretNamePrefix() + "*";
        List<PolicyStatement> statements = new ArrayList<>();
        statements.addAll(RotationRolePolicy.rotateKeysIntoOwnedSecrets(tag, anyUser, userSecrets,
                userSecretsKey.getKeyArn(), "Account", false));
        // The worker learns this account's key from the role's own key policy (below): IAM read on that one policy.
        statements.add(statement("ReadOwnKeyPolicy", List.of("iam:GetRolePolicy"), List.of(spokeRole.getRoleArn())));
        statements.forEach(spokeRole::addToPrincipalPolicy);
    }

    /**
     * The spoke role may use this account's key and no other, whatever another key's policy allows (an explicit
     * Deny wins): a member principal who makes a key of their own that admits the role, and plants a secret under
     * it, gets a secret the role can neither read nor write. The policy also tells the worker which key is the
     * account's ({@link Organization#SPOKE_KEY_STATEMENT}'s NotResource): changing it takes IAM permissions in the
     * member account, which a parameter or a stack output would not.
     */
    private Policy confineToOwnKey() {
        return Policy.Builder.create(this, "SpokeKeyPolicy")
                .policyName(Organization.SPOKE_KEY_POLICY_NAME)
                .roles(List.of(spokeRole))
                .statements(List.of(
                        PolicyStatement.Builder.create()
                                .sid(Organization.SPOKE_KEY_STATEMENT)
                                .effect(Effect.DENY)
                                .actions(List.of("kms:Decrypt"))
                                .notResources(List.of(userSecretsKey.getKeyArn()))
                                .build(),
                        // As in the single-account stack: a secret re-keyed between the ownership check and the
                        // write must fail the write rather than hand the new key to whoever controls the other key.
                        PolicyStatement.Builder.create()
                                .sid("NeverEncryptWithAnotherKey")
                                .effect(Effect.DENY)
                                .actions(RotatorStack.NEVER_WITH_ANOTHER_KEY_ACTIONS)
                                .notResources(List.of(userSecretsKey.getKeyArn()))
                                .build()))
                .build();
    }

    private void acknowledge(RotatorStackProps base) {
        ack("AwsSolutions-IAM5[Resource::*]", "iam:GetAccountAuthorizationDetails, iam:GenerateCredentialReport,"
                + " iam:GetCredentialReport and secretsmanager:ListSecrets support no resource-level permissions;"
                + " all of them only read.");
        ack("AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:user/*]",
                "Opted-in users are found at run time by their tag; every access key action carries the"
                        + " iam:ResourceTag condition, so it works only on users with the opt-in tag.");
        ack("AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:"
                        + base.secretNamePrefix() + "*]",
                "One secret per opted-in user, created at run time under the name prefix with a random suffix;"
                        + " creating needs this account's key and resource policies must block public access.");
    }

    private void ack(String finding, String reason) {
        Validations.of(spokeRole).acknowledge(Acknowledgment.builder().id(finding).reason(reason).build());
    }

    private static PolicyStatement statement(String sid, List<String> actions, List<String> resources) {
        return PolicyStatement.Builder.create().sid(sid).actions(actions).resources(resources).build();
    }

    public Role spokeRole() { return spokeRole; }
    public Key userSecretsKey() { return userSecretsKey; }
    public Policy keyPolicy() { return keyPolicy; }

    /**
     * The spoke as a template body for the StackSet: synthesized in an app of its own, so it is never deployed as a
     * stack of the hub's app and carries no asset or bootstrap reference.
     */
    public static String templateBody(OrganizationProps props) {
        App app = App.Builder.create().build();
        SpokeStack spoke = new SpokeStack(app, "AccessKeyRotatorSpoke", props);
        Object template = app.synth().getStackArtifact(spoke.getArtifactId()).getTemplate();
        return JsonText.of(template);
    }
}
