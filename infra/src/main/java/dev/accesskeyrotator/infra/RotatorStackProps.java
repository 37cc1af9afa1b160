package dev.accesskeyrotator.infra;

import dev.accesskeyrotator.contract.EnvironmentVariable;
import dev.accesskeyrotator.contract.SecretsKeyAlias;
import dev.accesskeyrotator.contract.OptInTag;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Deploy-time settings of the rotator stack, validated when built so that a typo fails {@code cdk synth} with a
 * message naming the setting instead of deploying a rotator that matches nobody.
 *
 * <p>Each setting has a context key of the same name ({@code cdk deploy -c optInTag=team=platform}); see
 * {@link #fromContext(Node)} and docs/deploy.md.
 */
public final class RotatorStackProps {
    public static final String DEFAULT_OPT_IN_TAG = OptInTag.DEFAULT;
    public static final String DEFAULT_SCHEDULE = "rate(1 day)";
    public static final String DEFAULT_PARAMETER_PREFIX = EnvironmentVariable.DEFAULT_PARAMETER_PREFIX;
    public static final String DEFAULT_SECRET_NAME_PREFIX = EnvironmentVariable.DEFAULT_SECRET_NAME_PREFIX;
    /** Shown to users in notices when neither {@code contact} nor {@code alarmEmail} is given; the function's own default. */
    public static final String DEFAULT_CONTACT = EnvironmentVariable.DEFAULT_CONTACT;
    /**
     * 1024 MB: the run is dominated by IAM/Secrets Manager latency, not CPU, but Lambda allots CPU in proportion to
     * memory, and JSON parsing of the account authorization details and TLS handshakes for up to MAX_CONCURRENCY
     * parallel users run noticeably faster with the ~0.6 vCPU of 1 GB than with 512 MB's ~0.3. The heap also holds
     * GetAccountAuthorizationDetails pages for thousands of users. A daily run of a minute costs well under a cent.
     */
    public static final int DEFAULT_MEMORY_SIZE_MB = 1024;
    /** One year: rotation logs are an audit trail (who was rotated, when, by which key id). */
    public static final int DEFAULT_LOG_RETENTION_DAYS = 365;

    /** CloudWatch Logs accepts only these retention periods. */
    private static final Map<Integer, RetentionDays> RETENTION_BY_DAYS = new TreeMap<>(Map.ofEntries(
            Map.entry(1, RetentionDays.ONE_DAY), Map.entry(3, RetentionDays.THREE_DAYS),
            Map.entry(5, RetentionDays.FIVE_DAYS), Map.entry(7, RetentionDays.ONE_WEEK),
            Map.entry(14, RetentionDays.TWO_WEEKS), Map.entry(30, RetentionDays.ONE_MONTH),
            Map.entry(60, RetentionDays.TWO_MONTHS), Map.entry(90, RetentionDays.THREE_MONTHS),
            Map.entry(120, RetentionDays.FOUR_MONTHS), Map.entry(150, RetentionDays.FIVE_MONTHS),
            Map.entry(180, RetentionDays.SIX_MONTHS), Map.entry(365, RetentionDays.ONE_YEAR),
            Map.entry(400, RetentionDays.THIRTEEN_MONTHS), Map.entry(545, RetentionDays.EIGHTEEN_MONTHS),
            Map.entry(731, RetentionDays.TWO_YEARS), Map.entry(1096, RetentionDays.THREE_YEARS),
            Map.entry(1827, RetentionDays.FIVE_YEARS), Map.entry(2192, RetentionDays.SIX_YEARS),
            Map.entry(2557, RetentionDays.SEVEN_YEARS), Map.entry(2922, RetentionDays.EIGHT_YEARS),
            Map.entry(3288, RetentionDays.NINE_YEARS), Map.entry(3653, RetentionDays.TEN_YEARS)));

    /** SSM parameter names: letters, digits and {@code _ . - /}; the prefix is a path such as {@code /a/b/}. */
    private static final Pattern PARAMETER_PREFIX = Pattern.compile("/([A-Za-z0-9_.\\-]+/)+");
    /** Secrets Manager names: letters, digits and {@code / _ + = . @ -}. No wildcards, so it is safe in ARN patterns. */
    private static final Pattern SECRET_NAME_PREFIX = Pattern.compile("[A-Za-z0-9/_+=.@\\-]+");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    /**
     * An IAM role or user (with an optional path) or an account root. No wildcards: the function writes it into
     * every user secret's resource policy as one of the two principals that may change the secret.
     */
    private static final Pattern PRINCIPAL_ARN = Pattern.compile(
            "arn:aws[a-z-]*:iam::\\d{12}:(root|(role|user)/([\\w+=,.@-]+/)*[\\w+=,.@-]{1,64})");
    private static final Pattern ROLE_ARN = Pattern.compile(EnvironmentVariable.ROLE_ARN_PATTERN);
    private static final Pattern USER_NAME = Pattern.compile(EnvironmentVariable.USER_NAME_PATTERN);
    /**
     * Lambda allows 4 KB for all of a function's environment variables together; the others take well under 1 KB.
     * Past this, name fewer roles (one role per reading system, not per host) rather than lose the deployment.
     */
    static final int MAX_DELEGATED_READERS_LENGTH = 3000;

    private final OptInTag optInTag;
    private final RotationSchedule schedule;
    private final String parameterPrefix;
    private final String secretNamePrefix;
    private final Optional<String> alarmEmail;
    private final String contact;
    private final int memorySize;
    private final Optional<String> functionJarNamed;
    private Path functionJar;
    /** Resolved (and built if out of date) when a hub stack asks for it: a single-account app never needs it. */
    private final Optional<String> hubJarNamed;
    private Path hubJar;
    private final int logRetentionDays;
    private final Optional<String> breakGlassPrincipalArn;
    private final Map<String, List<String>> delegatedReaders;
    private final List<String> keyAdminPrincipalArns;
    private final StackProps stackProps;

    private RotatorStackProps(Builder builder) {
        this.optInTag = optInTag(Objects.requireNonNullElse(builder.optInTag, DEFAULT_OPT_IN_TAG));
        Optional<Duration> cronInterval = Optional.ofNullable(builder.runIntervalHours).map(hours -> {
            require(hours >= 1, "runIntervalHours must be at least 1, got " + hours);
            return Duration.ofHours(hours);
        });
        this.schedule = RotationSchedule.parse(Objects.requireNonNullElse(builder.schedule, DEFAULT_SCHEDULE),
                cronInterval);
        this.parameterPrefix = Objects.requireNonNullElse(builder.parameterPrefix, DEFAULT_PARAMETER_PREFIX);
        require(PARAMETER_PREFIX.matcher(parameterPrefix).matches() && parameterPrefix.length() <= 900,
                "parameterPrefix '" + parameterPrefix + "' must be a Parameter Store path that starts and ends with"
                        + " '/' and uses letters, digits and _.- between the slashes, e.g. /access-key-rotation/");
        this.secretNamePrefix = Objects.requireNonNullElse(builder.secretNamePrefix, DEFAULT_SECRET_NAME_PREFIX);
        // Secret names are at most 512 characters and IAM user names at most 64.
        require(SECRET_NAME_PREFIX.matcher(secretNamePrefix).matches() && secretNamePrefix.length() <= 448,
                "secretNamePrefix '" + secretNamePrefix + "' must be 1-448 letters, digits and /_+=.@-");
        this.alarmEmail = Optional.ofNullable(builder.alarmEmail).map(String::strip).filter(e -> !e.isEmpty());
        alarmEmail.ifPresent(email -> require(EMAIL.matcher(email).matches(),
                "alarmEmail '" + email + "' is not an email address"));
        this.contact = Optional.ofNullable(builder.contact).map(String::strip).filter(c -> !c.isEmpty())
                .or(() -> alarmEmail).orElse(DEFAULT_CONTACT);
        require(contact.length() <= 256, "contact must be at most 256 characters");
        this.memorySize = Objects.requireNonNullElse(builder.memorySize, DEFAULT_MEMORY_SIZE_MB);
        require(memorySize >= 512 && memorySize <= 10240,
                "memorySize must be 512-10240 MB (a Java function with the AWS SDK needs at least 512), got "
                        + memorySize);
        this.functionJarNamed = Optional.ofNullable(builder.functionJar);
        this.hubJarNamed = Optional.ofNullable(builder.hubJar);
        this.logRetentionDays = Objects.requireNonNullElse(builder.logRetentionDays, DEFAULT_LOG_RETENTION_DAYS);
        require(RETENTION_BY_DAYS.containsKey(logRetentionDays), "logRetentionDays must be one of "
                + RETENTION_BY_DAYS.keySet() + " (what CloudWatch Logs accepts), got " + logRetentionDays);
        this.breakGlassPrincipalArn = Optional.ofNullable(builder.breakGlassPrincipalArn).map(String::strip)
                .filter(arn -> !arn.isEmpty());
        breakGlassPrincipalArn.ifPresent(arn -> require(PRINCIPAL_ARN.matcher(arn).matches(),
                "breakGlassPrincipalArn '" + arn + "' must be the ARN of an IAM role or user, or of an account root"
                        + " (arn:aws:iam::111122223333:role/NAME, ...:user/NAME or ...:root), without wildcards"));
        this.delegatedReaders = validDelegatedReaders(builder.delegatedReaders);
        this.keyAdminPrincipalArns = List.copyOf(Objects.requireNonNullElse(builder.keyAdminPrincipalArns,
                List.<String>of()));
        keyAdminPrincipalArns.forEach(arn -> require(PRINCIPAL_ARN.matcher(arn).matches(), "keyAdminPrincipal '"
                + arn + "' must be the ARN of an IAM role or user, or of an account root (arn:aws:iam::111122223333:"
                + "role/NAME, ...:user/NAME or ...:root), without wildcards"));
        String alias = SecretsKeyAlias.forPrefix(secretNamePrefix);
        require(alias.length() <= SecretsKeyAlias.MAX_LENGTH, "secretNamePrefix '" + secretNamePrefix + "' makes"
                + " the secrets key alias " + alias.length() + " characters long; KMS allows "
                + SecretsKeyAlias.MAX_LENGTH + ": use a shorter prefix");
        // Past KMS's limit the deployment fails late, with the key half-updated; say so at synth instead.
        int keyPolicyBytes = KeyPolicies.userSecretsKeyPolicyBytes(secretNamePrefix, delegatedReaders,
                keyAdminPrincipalArns);
        require(keyPolicyBytes <= KeyPolicies.MAX_KEY_POLICY_BYTES, "delegatedReaders name "
                + delegatedReaders.values().stream().mapToInt(List::size).sum() + " roles for "
                + delegatedReaders.size() + " users, which makes the user secrets key policy up to " + keyPolicyBytes
                + " bytes; KMS allows " + KeyPolicies.MAX_KEY_POLICY_BYTES + " bytes per key policy. Name fewer"
                + " readers: one role per reading system, for the users it needs");
        this.stackProps = Objects.requireNonNullElseGet(builder.stackProps, () -> StackProps.builder()
                .description("Access Key Rotator: scheduled rotation of access keys of IAM users tagged " + optInTag)
                .build());
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads every setting from CDK context ({@code -c key=value} or cdk.json); absent keys take their defaults.
     * Values from the command line arrive as strings, values from cdk.json may be numbers: both are accepted.
     */
    public static Builder fromContext(Node node) {
        return builder()
                .optInTag(text(node, "optInTag"))
                .schedule(text(node, "schedule"))
                .parameterPrefix(text(node, "parameterPrefix"))
                .secretNamePrefix(text(node, "secretNamePrefix"))
                .alarmEmail(text(node, "alarmEmail"))
                .contact(text(node, "contact"))
                .memorySize(number(node, "memorySize"))
                .functionJar(text(node, "functionJar"))
                .hubJar(text(node, "hubJar"))
                .logRetentionDays(number(node, "logRetentionDays"))
                .runIntervalHours(number(node, "runIntervalHours"))
                .breakGlassPrincipalArn(text(node, "breakGlassPrincipalArn"))
                .delegatedReaders(delegatedReadersContext(node.tryGetContext("delegatedReaders")))
                .keyAdminPrincipalArns(Optional.ofNullable(text(node, "keyAdminPrincipal"))
                        .map(arns -> Arrays.stream(arns.split(",")).map(String::strip).filter(a -> !a.isEmpty())
                                .toList())
                        .orElse(null));
    }

    /**
     * {@code -c delegatedReaders='{"ci-bot":["arn:aws:iam::111122223333:role/ci"]}'} arrives as a string, the same
     * in cdk.json as an object; both become user name to role ARNs, checked when the props are built.
     */
    private static Map<String, List<String>> delegatedReadersContext(Object value) {
        if (value == null || value.toString().isBlank()) {
            return null;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, List<String>> readers = new LinkedHashMap<>();
            map.forEach((user, roles) -> {
                require(roles instanceof List<?>, "delegatedReaders for user '" + user + "' must be a list of IAM"
                        + " role ARNs, got " + roles);
                List<String> arns = new ArrayList<>();
                ((List<?>) roles).forEach(role -> arns.add(String.valueOf(role)));
                readers.put(String.valueOf(user), arns);
            });
            return readers;
        }
        try {
            return new ObjectMapper().readValue(value.toString(),
                    new TypeReference<LinkedHashMap<String, List<String>>>() { });
        } catch (JsonProcessingException e) {
            throw new ContextValueRefused("context value delegatedReaders must be a JSON object of user name to"
                    + " a list of IAM role ARNs, e.g. {\"ci-bot\":[\"arn:aws:iam::111122223333:role/ci\"]}; got '"
                    + value + "'");
        }
    }

    /**
     * Only roles, by exact ARN: a reader is a system (External Secrets, a CI server, a vault sync) that assumes a role.
     * A user ARN would let a person read another user's key; a wildcard, root or session ARN would admit more than
     * the one role meant.
     */
    private static Map<String, List<String>> validDelegatedReaders(Map<String, List<String>> readers) {
        Map<String, List<String>> valid = new TreeMap<>();
        if (readers == null) {
            return Map.of();
        }
        readers.forEach((user, roles) -> {
            require(user != null && USER_NAME.matcher(user).matches(), "delegatedReaders names '" + user
                    + "', which is not an IAM user name (1-64 letters, digits and +=,.@_-)");
            require(roles != null && !roles.isEmpty(), "delegatedReaders for user '" + user + "' names no role");
            for (String role : roles) {
                require(role != null && ROLE_ARN.matcher(role).matches(), "delegatedReaders for user '" + user
                        + "': '" + role + "' is not an IAM role ARN (arn:aws:iam::111122223333:role/NAME, with an"
                        + " optional path); users, roots, wildcards and session ARNs cannot be readers");
            }
            valid.put(user, List.copyOf(new LinkedHashSet<>(roles)));
        });
        String variable = delegatedReadersVariable(valid);
        require(variable.length() <= MAX_DELEGATED_READERS_LENGTH, "delegatedReaders take " + variable.length()
                + " characters in the function's environment, more than " + MAX_DELEGATED_READERS_LENGTH
                + " (Lambda allows 4 KB for all variables); name one role per reading system");
        return Map.copyOf(valid);
    }

    /** The function's {@link EnvironmentVariable#DELEGATED_READERS} value: {@code USER ARN...} entries. */
    static String delegatedReadersVariable(Map<String, List<String>> readers) {
        List<String> entries = new ArrayList<>();
        new TreeMap<>(readers).forEach((user, roles) -> entries.add(user
                + EnvironmentVariable.DELEGATED_READERS_FIELD_SEPARATOR
                + String.join(EnvironmentVariable.DELEGATED_READERS_FIELD_SEPARATOR, roles)));
        return String.join(EnvironmentVariable.DELEGATED_READERS_ENTRY_SEPARATOR, entries);
    }

    private static String text(Node node, String key) {
        Object value = node.tryGetContext(key);
        return value == null ? null : value.toString();
    }

    private static Integer number(Node node, String key) {
        String value = text(node, key);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return (int) Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new ContextValueRefused("context value " + key + " must be a number, got '" + value + "'");
        }
    }

    /** The contract's parser says what is wrong with the tag; here that is a refused context value. */
    private static OptInTag optInTag(String value) {
        try {
            return OptInTag.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ContextValueRefused("context value optInTag: " + e.getMessage());
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new ContextValueRefused(message);
        }
    }

    public OptInTag optInTag() {
        return optInTag;
    }

    public RotationSchedule schedule() {
        return schedule;
    }

    public String parameterPrefix() {
        return parameterPrefix;
    }

    public String secretNamePrefix() {
        return secretNamePrefix;
    }

    public Optional<String> alarmEmail() {
        return alarmEmail;
    }

    public String contact() {
        return contact;
    }

    public int memorySize() {
        return memorySize;
    }

    /**
     * The single-account function's jar; see {@link FunctionJar#resolve}. Resolved (and built if out of date) only
     * when a stack that deploys it asks: organization mode uploads the hub's jar alone.
     */
    public synchronized Path functionJar() {
        if (functionJar == null) {
            functionJar = FunctionJar.resolve(functionJarNamed);
        }
        return functionJar;
    }

    /** The organization hub's jar (lister, worker, aggregator); see {@link FunctionJar#resolveHub}. */
    public synchronized Path hubJar() {
        if (hubJar == null) {
            hubJar = FunctionJar.resolveHub(hubJarNamed);
        }
        return hubJar;
    }

    public int logRetentionDays() {
        return logRetentionDays;
    }

    public RetentionDays logRetention() {
        return RETENTION_BY_DAYS.get(logRetentionDays);
    }

    /**
     * The administrator principal that, besides the function, may change or delete a user secret (the repair path
     * when the function cannot). Defaults to the root of the account the stack is deployed to.
     */
    public String breakGlassPrincipalArn() {
        return breakGlassPrincipalArn.orElse("arn:" + Aws.PARTITION + ":iam::" + Aws.ACCOUNT_ID + ":root");
    }

    /** The break-glass principal the deployer named, if any (organization mode refuses one). */
    Optional<String> namedBreakGlassPrincipalArn() {
        return breakGlassPrincipalArn;
    }

    /** Per user name, the roles that may read that user's secret (besides the user and the function). */
    public Map<String, List<String>> delegatedReaders() {
        return delegatedReaders;
    }

    /** Who administers the stack's KMS keys instead of the account; empty: the account. */
    public List<String> keyAdminPrincipalArns() {
        return keyAdminPrincipalArns;
    }

    /** The alias of the user secrets key, which key owners' tools resolve. */
    public String secretsKeyAlias() {
        return SecretsKeyAlias.forPrefix(secretNamePrefix);
    }

    public StackProps stackProps() {
        return stackProps;
    }

    /** Unset (null) values take their defaults when {@link #build()} validates them. */
    public static final class Builder {
        private String optInTag;
        private String schedule;
        private String parameterPrefix;
        private String secretNamePrefix;
        private String alarmEmail;
        private String contact;
        private Integer memorySize;
        private String functionJar;
        private String hubJar;
        private Integer logRetentionDays;
        private Integer runIntervalHours;
        private String breakGlassPrincipalArn;
        private Map<String, List<String>> delegatedReaders;
        private List<String> keyAdminPrincipalArns;
        private StackProps stackProps;

        private Builder() {}

        /** {@code key=value} or {@code key}; default {@value #DEFAULT_OPT_IN_TAG}. */
        public Builder optInTag(String optInTag) {
            this.optInTag = optInTag;
            return this;
        }

        /** {@code rate(...)} or {@code cron(...)}; default {@value #DEFAULT_SCHEDULE}. */
        public Builder schedule(String schedule) {
            this.schedule = schedule;
            return this;
        }

        public Builder parameterPrefix(String parameterPrefix) {
            this.parameterPrefix = parameterPrefix;
            return this;
        }

        public Builder secretNamePrefix(String secretNamePrefix) {
            this.secretNamePrefix = secretNamePrefix;
            return this;
        }

        /** Receives alarms, run summaries and attention notices; none when unset. */
        public Builder alarmEmail(String alarmEmail) {
            this.alarmEmail = alarmEmail;
            return this;
        }

        /** Whom notices tell users to contact; defaults to alarmEmail, else {@value #DEFAULT_CONTACT}. */
        public Builder contact(String contact) {
            this.contact = contact;
            return this;
        }

        public Builder memorySize(Integer memorySize) {
            this.memorySize = memorySize;
            return this;
        }

        /** Path of the shaded function jar, relative to the working directory; see {@link FunctionJar}. */
        public Builder functionJar(String functionJar) {
            this.functionJar = functionJar;
            return this;
        }

        /** Path of the shaded hub jar (organization mode), relative to the working directory. */
        public Builder hubJar(String hubJar) {
            this.hubJar = hubJar;
            return this;
        }

        public Builder logRetentionDays(Integer logRetentionDays) {
            this.logRetentionDays = logRetentionDays;
            return this;
        }

        /** Expected hours between runs of a cron schedule (rate schedules know their own). */
        public Builder runIntervalHours(Integer runIntervalHours) {
            this.runIntervalHours = runIntervalHours;
            return this;
        }

        /** Role, user or account root ARN; default the deployment account's root. */
        public Builder breakGlassPrincipalArn(String breakGlassPrincipalArn) {
            this.breakGlassPrincipalArn = breakGlassPrincipalArn;
            return this;
        }

        /**
         * Per IAM user name (exactly as IAM spells it), the IAM role ARNs that may read that user's secret: for
         * External Secrets, a CI system or a vault sync. The roles must exist when the stack is deployed.
         */
        /**
         * Principals (the role CloudFormation deploys the stack with among them) that administer the stack's KMS
         * keys instead of the account root, so that IAM permissions such as PowerUserAccess cannot rewrite the key
         * policies.
         */
        public Builder keyAdminPrincipalArns(List<String> keyAdminPrincipalArns) {
            this.keyAdminPrincipalArns = keyAdminPrincipalArns;
            return this;
        }

        public Builder delegatedReaders(Map<String, List<String>> delegatedReaders) {
            this.delegatedReaders = delegatedReaders;
            return this;
        }

        public Builder stackProps(StackProps stackProps) {
            this.stackProps = stackProps;
            return this;
        }

        public RotatorStackProps build() {
            return new RotatorStackProps(this);
        }
    }
}
