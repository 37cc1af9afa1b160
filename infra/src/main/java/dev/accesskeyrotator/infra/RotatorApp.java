package dev.accesskeyrotator.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Validations;

import java.io.PrintStream;

/**
 * The CDK app: one environment-agnostic {@link RotatorStack} named {@value #STACK_NAME}, configured from context
 * (see {@link RotatorStackProps#fromContext}), or with {@code -c mode=organization} the
 * {@link OrganizationHubStack} named {@value #HUB_STACK_NAME} (see {@link OrganizationProps#fromContext}); checked by
 * cdk-nag's AwsSolutions rules on every synth.
 */
public final class RotatorApp {
    public static final String STACK_NAME = "AccessKeyRotator";
    /** The stack of {@code -c mode=organization}: the hub, which deploys the spokes itself through a StackSet. */
    public static final String HUB_STACK_NAME = "AccessKeyRotatorHub";
    /** Context key; {@code -c cdkNag=false} skips the AwsSolutions checks (they run by default). */
    public static final String CDK_NAG_CONTEXT = "cdkNag";

    private RotatorApp() {}

    public static void main(String[] args) {
        int exitCode = synthesize(new App(), System.err);
        if (exitCode != 0) {
            // The app runs inside Maven (exec:java, through cdk.json): exiting here keeps Maven's failure banner,
            // its advice to look for a stack trace and its "-rf" line away from a person who mistyped a value.
            System.exit(exitCode);
        }
    }

    /**
     * Builds the stack that the context asks for and synthesizes it; a context value the stack refuses is one line on
     * {@code err} ("error: " and the reason, which names the value and what to do) and exit code 1, never a trace.
     * Any other exception is a bug and keeps its stack trace.
     */
    static int synthesize(App app, PrintStream err) {
        try {
            build(app);
            return 0;
        } catch (ContextValueRefused refused) {
            err.println("error: " + refused.getMessage());
            return 1;
        }
    }

    private static void build(App app) {
        if (OrganizationProps.requested(app.getNode())) {
            new OrganizationHubStack(app, HUB_STACK_NAME, OrganizationProps.fromContext(app.getNode()));
        } else {
            createStack(app, STACK_NAME, RotatorStackProps.fromContext(app.getNode()).build());
        }
        if (!"false".equalsIgnoreCase(String.valueOf(app.getNode().tryGetContext(CDK_NAG_CONTEXT)))) {
            // An unacknowledged error-level finding fails the synth; the report lands in the cloud assembly.
            Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
        }
        app.synth();
    }

    /** Used by {@link #main} and by the tests, so both build exactly the same stack. */
    public static RotatorStack createStack(App app, String id, RotatorStackProps props) {
        return new RotatorStack(app, id, props);
    }
}
