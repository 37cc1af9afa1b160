package dev.accesskeyrotator.infra;

import dev.accesskeyrotator.contract.SecretsKeyAlias;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.util.List;
import java.util.Map;

import static dev.accesskeyrotator.infra.Stacks.getAtt;
import static dev.accesskeyrotator.infra.Stacks.join;
import static dev.accesskeyrotator.infra.Stacks.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who administers the stack's KMS keys, and how key owners find the user secrets key. By default the account does,
 * which lets any identity policy with {@code kms:PutKeyPolicy} (PowerUserAccess) rewrite the key policies; named key
 * administrators ({@code -c keyAdminPrincipal=ARN[,ARN...]}) replace the account in both keys' policies.
 */
class KeyAdministrationTest {
    private static final String KEY_ADMIN = "arn:aws:iam::111122223333:role/kms-admins";
    private static final String DEPLOYER = "arn:aws:iam::111122223333:role/cdk-hnb659fds-cfn-exec-role";

    @Test
    void namedKeyAdministratorsReplaceTheAccountInBothKeyPolicies() {
        App app = Stacks.newApp(Map.of("keyAdminPrincipal", KEY_ADMIN + ", " + DEPLOYER));
        Template template = Template.fromStack(RotatorApp.createStack(app, Stacks.STACK_ID,
                RotatorStackProps.fromContext(app.getNode()).build()));

        Map<String, Object> administration = Map.of(
                "Sid", "KeyAdministratorsAdministerKeyWithoutUsingIt",
                "Effect", "Allow",
                "Principal", Map.of("AWS", List.of(KEY_ADMIN, DEPLOYER)),
                "Action", KeyPolicies.KEY_ADMINISTRATION_ACTIONS,
                "Resource", "*");
        Map<String, Object> root = Map.of("AWS", join("arn:", ref("AWS::Partition"), ":iam::", ref("AWS::AccountId"),
                ":root"));
        assertTrue(Stacks.allStatements(template).stream().noneMatch(s -> root.equals(s.get("Principal"))),
                "the account root is named nowhere");
        assertEquals(2, template.findResources("AWS::KMS::Key", Map.of("Properties", Map.of("KeyPolicy",
                Map.of("Statement", Match.arrayWith(List.of(Match.objectEquals(administration))))))).size(),
                "both keys, the user secrets key and the topics key");
    }

    @Test
    void withoutTheOptionTheAccountAdministersTheKeys() {
        Template template = Stacks.defaultTemplate();
        assertEquals(2, template.findResources("AWS::KMS::Key", Map.of("Properties", Map.of("KeyPolicy",
                Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of("Sid",
                        "AccountAdministersKeyWithoutUsingIt")))))))).size());
    }

    @Test
    void aKeyAdministratorThatIsNotAPrincipalArnFailsTheSynth() {
        App app = Stacks.newApp(Map.of("keyAdminPrincipal", "arn:aws:iam::111122223333:role/*"));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> RotatorStackProps.fromContext(app.getNode()).build());
        assertTrue(error.getMessage().startsWith("keyAdminPrincipal 'arn:aws:iam::111122223333:role/*' must be the"
                + " ARN of an IAM role or user"), error.getMessage());
    }

    @Test
    void theUserSecretsKeyHasAnAliasKeyOwnersMayResolve() {
        RotatorStack stack = Stacks.defaultStack();
        Template template = Stacks.defaultTemplate();

        template.hasResourceProperties("AWS::KMS::Alias", Map.of(
                "AliasName", "alias/access-key-rotation/secrets-key",
                "TargetKeyId", getAtt(Stacks.logicalId(stack, stack.userSecretsKey()), "Arn")));
        template.hasOutput("UserSecretsKeyAlias", Map.of("Value", "alias/access-key-rotation/secrets-key"));
        template.hasResourceProperties("AWS::KMS::Key", Map.of("KeyPolicy", Map.of("Statement", Match.arrayWith(
                List.of(Match.objectEquals(Map.of(
                        "Sid", "UsersFindTheKeyByItsAlias",
                        "Effect", "Allow",
                        "Principal", Map.of("AWS", "*"),
                        "Action", "kms:DescribeKey",
                        "Resource", "*",
                        "Condition", Map.of("StringEquals", Map.of(
                                "aws:PrincipalAccount", ref("AWS::AccountId"), "aws:PrincipalType", "User")))))))));
    }

    @Test
    void theAliasFollowsThePrefixWithinWhatKmsAllows() {
        assertEquals("alias/team-a/keys/secrets-key", SecretsKeyAlias.forPrefix("team+a/keys/"));
        assertEquals("alias/rotator-aws/x/secrets-key", SecretsKeyAlias.forPrefix("aws/x/"),
                "alias/aws/ is reserved for AWS managed keys");
        App app = Stacks.newApp(Map.of("secretNamePrefix", "p".repeat(300) + "/"));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> RotatorStackProps.fromContext(app.getNode()).build());
        assertTrue(error.getMessage().contains("KMS allows 256"), error.getMessage());
    }
}
