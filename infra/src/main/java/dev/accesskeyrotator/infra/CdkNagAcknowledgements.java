package dev.accesskeyrotator.infra;

import software.amazon.awscdk.Acknowledgment;
import software.amazon.awscdk.Validations;
import software.constructs.IConstruct;

/**
 * The cdk-nag AwsSolutions findings this stack accepts, each with the reason it is right here.
 *
 * <p>cdk-nag 3 reports every finding separately ({@code RuleId[finding]}) and accepts only exact
 * acknowledgements, so each wildcard resource is acknowledged on its own: a new wildcard fails the nag check
 * until someone writes down why it is needed.
 */
final class CdkNagAcknowledgements {
    private static final String PARTITION = "<AWS::Partition>";
    private static final String REGION = "<AWS::Region>";
    private static final String ACCOUNT = "<AWS::AccountId>";

    private CdkNagAcknowledgements() {}

    static void acknowledgeRotatorFindings(IConstruct functionRole, IConstruct deadLetterQueue,
                                           RotatorStackProps props) {
        acknowledge(functionRole, "AwsSolutions-IAM5[Resource::*]",
                "iam:GetAccountAuthorizationDetails, iam:GenerateCredentialReport, iam:GetCredentialReport and"
                        + " secretsmanager:ListSecrets support no resource-level permissions; all of them only read.");
        acknowledge(functionRole, "AwsSolutions-IAM5[Resource::arn:" + PARTITION + ":iam::" + ACCOUNT + ":user/*]",
                "Opted-in users are found at run time by their tag, so no user ARN is known at deploy time."
                        + " Every access key action carries the iam:ResourceTag condition, so it works only on users"
                        + " with the opt-in tag.");
        acknowledge(functionRole, "AwsSolutions-IAM5[Resource::arn:" + PARTITION + ":secretsmanager:" + REGION
                        + ":" + ACCOUNT + ":secret:" + props.secretNamePrefix() + "*]",
                "One secret per opted-in user, created at run time under the deploy-time name prefix; Secrets"
                        + " Manager appends a random suffix to each secret ARN. Creating needs the stack's KMS key and"
                        + " resource policies must block public access (conditions on those statements).");
        acknowledge(deadLetterQueue, "AwsSolutions-SQS3",
                "This queue is itself the dead-letter queue of the schedule target and of failed asynchronous"
                        + " invocations; a queue behind it would only hide messages from the UndeliveredRuns alarm.");
    }

    private static void acknowledge(IConstruct scope, String findingId, String reason) {
        Validations.of(scope).acknowledge(Acknowledgment.builder().id(findingId).reason(reason).build());
    }
}
