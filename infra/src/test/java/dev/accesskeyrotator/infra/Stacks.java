package dev.accesskeyrotator.infra;

import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Template;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds stacks the way the app does ({@link RotatorApp#createStack}) and reads their templates.
 *
 * <p>The function jar comes from the {@code functionJar} system property that the infra pom's surefire
 * configuration sets to this build's lambda jar.
 */
final class Stacks {
    static final String STACK_ID = "TestRotator";

    /** Synthesizing takes a second or two through jsii; tests that need the default stack share one. */
    private static RotatorStack defaultStack;
    private static Template defaultTemplate;

    private Stacks() {}

    static RotatorStack create(RotatorStackProps.Builder props) {
        return RotatorApp.createStack(newApp(Map.of()), STACK_ID, props.build());
    }

    /**
     * An app that synthesizes into the build directory ({@code cdkTestOutdir}, set by surefire) instead of a new
     * temporary directory per synth. The apps of a test run share it, so the function jar is staged once there
     * rather than copied per app, and it goes away with the build directory. Tests run one at a time, and each
     * reads its template right after its own synth.
     */
    static App newApp(Map<String, Object> context) {
        App.Builder app = App.Builder.create().context(context);
        String outdir = System.getProperty("cdkTestOutdir");
        if (outdir != null) {
            try {
                app.outdir(Files.createDirectories(Path.of(outdir)).toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return app.build();
    }

    static Template template(RotatorStackProps.Builder props) {
        return Template.fromStack(create(props));
    }

    static synchronized RotatorStack defaultStack() {
        if (defaultStack == null) {
            defaultStack = create(RotatorStackProps.builder());
            defaultTemplate = Template.fromStack(defaultStack);
        }
        return defaultStack;
    }

    static synchronized Template defaultTemplate() {
        defaultStack();
        return defaultTemplate;
    }

    /** The CloudFormation fragment {@code {"Ref": name}}, e.g. of a pseudo parameter or resource. */
    static Map<String, Object> ref(String name) {
        return Map.of("Ref", name);
    }

    /** {@code Fn::Join} with an empty separator, as CDK renders strings that contain tokens. */
    static Map<String, Object> join(Object... parts) {
        return Map.of("Fn::Join", List.of("", List.of(parts)));
    }

    static Map<String, Object> getAtt(String logicalId, String attribute) {
        return Map.of("Fn::GetAtt", List.of(logicalId, attribute));
    }

    static String logicalId(RotatorStack stack, software.constructs.IConstruct construct) {
        return stack.getLogicalId((software.amazon.awscdk.CfnElement) construct.getNode().getDefaultChild());
    }

    /**
     * Every statement of every policy document in the template: identity policies (inline and attached), trust
     * policies, key policies, topic and queue policies.
     */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> allStatements(Template template) {
        List<Map<String, Object>> statements = new ArrayList<>();
        Map<String, Object> resources = (Map<String, Object>) template.toJSON().get("Resources");
        for (Object resourceObject : resources.values()) {
            Map<String, Object> resource = (Map<String, Object>) resourceObject;
            Map<String, Object> properties = (Map<String, Object>) resource.getOrDefault("Properties", Map.of());
            for (String documentKey : List.of("PolicyDocument", "KeyPolicy", "AssumeRolePolicyDocument")) {
                addStatements(statements, properties.get(documentKey));
            }
            for (Object inline : (List<Object>) properties.getOrDefault("Policies", List.of())) {
                addStatements(statements, ((Map<String, Object>) inline).get("PolicyDocument"));
            }
        }
        return statements;
    }

    @SuppressWarnings("unchecked")
    private static void addStatements(List<Map<String, Object>> statements, Object document) {
        if (document instanceof Map<?, ?> map && map.get("Statement") instanceof List<?> list) {
            list.forEach(statement -> statements.add((Map<String, Object>) statement));
        }
    }

    /** A statement's actions whether CloudFormation holds one string or a list. */
    static List<String> actionsOf(Map<String, Object> statement) {
        Object action = statement.get("Action");
        if (action instanceof String single) {
            return List.of(single);
        }
        List<String> actions = new ArrayList<>();
        if (action instanceof List<?> list) {
            list.forEach(a -> actions.add(a.toString()));
        }
        return actions;
    }
}
