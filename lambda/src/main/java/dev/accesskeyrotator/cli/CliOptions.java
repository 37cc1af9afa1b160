package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.contract.EnvironmentVariable;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The options several commands share, and the converters that turn a bad value into one line naming what is allowed
 * (picocli prefixes it with the flag: {@code Invalid value for option '--region': ...}).
 */
final class CliOptions {
    private CliOptions() {}

    /** {@code --region} and {@code --endpoint-url}: where the AWS calls go. */
    static final class Endpoint {
        @Option(names = "--region", paramLabel = "REGION", converter = RegionName.class,
                description = "AWS region. Default: AWS_REGION, else the profile's region.")
        String region;

        @Option(names = "--endpoint-url", paramLabel = "URL", converter = EndpointUrl.class,
                description = "Send every AWS call to this endpoint (an emulator, local testing).")
        URI endpointUrl;

        Optional<String> region() {
            return Optional.ofNullable(region);
        }

        Optional<URI> endpointUrl() {
            return Optional.ofNullable(endpointUrl);
        }
    }

    /** {@code --secret-prefix}: the user secrets' name prefix. */
    static final class SecretPrefix {
        @Option(names = "--secret-prefix", paramLabel = "PREFIX", converter = SecretNamePrefix.class,
                description = "Name prefix of the user secrets. Env: ${bundle:env.secret-prefix}. Default: ${DEFAULT-VALUE}.")
        String secretPrefix;
    }

    /** {@code --parameter-prefix}: where the rotator's parameters are. */
    static final class ParameterPrefix {
        @Option(names = "--parameter-prefix", paramLabel = "PREFIX",
                description = "Parameter Store prefix of the rotator's configuration. Env: ${bundle:env.parameter-prefix}."
                        + " Default: ${DEFAULT-VALUE}.")
        String parameterPrefix;
    }

    /** An http(s) URL with a host: anything else makes the SDK fail deep inside with a NullPointerException. */
    static final class EndpointUrl implements ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            try {
                URI uri = new URI(value.strip());
                if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                    return uri;
                }
            } catch (URISyntaxException e) {
                // reported below
            }
            throw new TypeConversionException("'" + value + "' is not an endpoint URL; allowed: http:// or https://"
                    + " with a host, for example http://localhost:4566");
        }
    }

    /** A region's name as AWS spells them (eu-west-1, us-gov-west-1, cn-north-1). */
    static final class RegionName implements ITypeConverter<String> {
        private static final Pattern REGION = Pattern.compile("[a-z]{2,5}(-[a-z]+)+-\\d{1,2}");

        @Override
        public String convert(String value) {
            if (REGION.matcher(value.strip()).matches()) {
                return value.strip();
            }
            throw new TypeConversionException("'" + value + "' is not an AWS region; allowed: a region name such as"
                    + " eu-west-1 or us-east-1");
        }
    }

    /** An IAM user name, as IAM allows it: it becomes part of a secret name and a file name. */
    static final class UserName implements ITypeConverter<String> {
        private static final Pattern USER = Pattern.compile(EnvironmentVariable.USER_NAME_PATTERN);

        @Override
        public String convert(String value) {
            if (USER.matcher(value).matches()) {
                return value;
            }
            throw new TypeConversionException("'" + value + "' is not an IAM user name; allowed: 1 to 64 letters,"
                    + " digits and + = , . @ _ -");
        }
    }

    /** The start of a secret's name: the characters Secrets Manager allows in one. */
    static final class SecretNamePrefix implements ITypeConverter<String> {
        private static final Pattern PREFIX = Pattern.compile("[\\w/+=.@-]{0,400}");

        @Override
        public String convert(String value) {
            if (PREFIX.matcher(value).matches()) {
                return value;
            }
            throw new TypeConversionException("'" + value + "' cannot start a secret name; allowed: letters, digits"
                    + " and / _ + = . @ -");
        }
    }

    /** A file path the operating system can take (no NUL character). */
    static final class FilePath implements ITypeConverter<java.nio.file.Path> {
        @Override
        public java.nio.file.Path convert(String value) {
            try {
                if (!value.isBlank()) {
                    return java.nio.file.Path.of(value);
                }
            } catch (java.nio.file.InvalidPathException e) {
                throw new TypeConversionException("'" + value.replace("\0", "\\0") + "' is not a file path ("
                        + e.getReason() + ")");
            }
            throw new TypeConversionException("'" + value + "' is not a file path");
        }
    }

    /** An SNS topic's ARN, the only thing notices can be published to. */
    static final class TopicArn implements ITypeConverter<String> {
        private static final Pattern TOPIC = Pattern.compile("arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[\\w-]{1,256}");

        @Override
        public String convert(String value) {
            if (TOPIC.matcher(value).matches()) {
                return value;
            }
            throw new TypeConversionException("'" + value + "' is not an SNS topic ARN; allowed:"
                    + " arn:aws:sns:REGION:ACCOUNT:NAME");
        }
    }

    /** A profile name as the shared files can hold it: one word, no brackets. */
    static final class ProfileName implements ITypeConverter<String> {
        private static final Pattern PROFILE = Pattern.compile("[\\w+=,.@:/-]{1,128}");

        @Override
        public String convert(String value) {
            if (PROFILE.matcher(value).matches()) {
                return value;
            }
            throw new TypeConversionException("'" + value + "' is not a profile name; allowed: letters, digits and"
                    + " + = , . @ : / _ - (no spaces or brackets)");
        }
    }

    /** Users processed at once: the bounds the function's own setting has. */
    static final class Concurrency implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int concurrency = Integer.parseInt(value.strip());
                if (concurrency >= 1 && concurrency <= EnvironmentVariable.MAX_MAX_CONCURRENCY) {
                    return concurrency;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new TypeConversionException("'" + value + "'; allowed: an integer from 1 to "
                    + EnvironmentVariable.MAX_MAX_CONCURRENCY);
        }
    }

    /** Minutes between checks of the secret, within the bounds a cache may hold. */
    static final class RefreshMinutes implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                Duration refresh = Duration.ofMinutes(Long.parseLong(value.strip()));
                if (refresh.compareTo(CredentialsCache.MIN_REFRESH) >= 0
                        && refresh.compareTo(CredentialsCache.MAX_REFRESH) <= 0) {
                    return refresh;
                }
            } catch (NumberFormatException | ArithmeticException e) {
                // reported below
            }
            throw new TypeConversionException("'" + value + "'; allowed: a whole number of minutes from "
                    + CredentialsCache.MIN_REFRESH.toMinutes() + " to " + CredentialsCache.MAX_REFRESH.toMinutes());
        }
    }

    /**
     * The function's environment variables as the defaults of the flags that stand for them, read from the
     * environment the command was given (so help shows what a run would use), else the contract's default.
     */
    static final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {
        private final Map<String, String> env;

        EnvironmentDefaults(Map<String, String> env) {
            this.env = env;
        }

        @Override
        public String defaultValue(CommandLine.Model.ArgSpec argument) {
            if (!(argument instanceof CommandLine.Model.OptionSpec option)) {
                return null;
            }
            for (Map.Entry<EnvironmentVariable, String> entry : CliAws.SETTING_FLAGS.entrySet()) {
                if (entry.getValue().equals(option.longestName())
                        && entry.getKey() != EnvironmentVariable.MAX_CONCURRENCY) {
                    String value = env.get(entry.getKey().name());
                    return value != null && !value.isBlank() ? value : contractDefault(entry.getKey());
                }
            }
            return null;
        }

        private static String contractDefault(EnvironmentVariable variable) {
            return switch (variable) {
                case PARAMETER_PREFIX -> EnvironmentVariable.DEFAULT_PARAMETER_PREFIX;
                case SECRET_NAME_PREFIX -> EnvironmentVariable.DEFAULT_SECRET_NAME_PREFIX;
                case ADMIN_CONTACT -> EnvironmentVariable.DEFAULT_CONTACT;
                default -> null;
            };
        }
    }

    /**
     * The words help fills in from the contract rather than spelling them: each settings flag's environment variable
     * ({@code ${bundle:env.topic-arn}}) and the parameters help names, so help cannot name a variable the function no
     * longer reads.
     */
    static final class HelpTexts extends java.util.ResourceBundle {
        private final Map<String, String> texts = new java.util.HashMap<>();

        HelpTexts() {
            CliAws.SETTING_FLAGS.forEach((variable, flag) -> texts.put("env." + flag.substring(2), variable.name()));
            texts.put("parameter.dryRun", dev.accesskeyrotator.contract.Parameter.DRY_RUN.parameterName());
            texts.put("parameter.userTag", dev.accesskeyrotator.contract.Parameter.USER_TAG.parameterName());
        }

        @Override
        protected Object handleGetObject(String key) {
            return texts.get(key);
        }

        @Override
        public java.util.Enumeration<String> getKeys() {
            return java.util.Collections.enumeration(texts.keySet());
        }
    }

    /**
     * The function's settings as flags, for the commands that run the rotator ({@code run}, {@code rotate}); each
     * names the environment variable the function reads instead.
     */
    static final class FunctionSettings {
        @Option(names = "--topic-arn", paramLabel = "ARN", converter = CliOptions.TopicArn.class,
                description = "SNS topic for notices; required unless --dry-run. Env: ${bundle:env.topic-arn}.")
        String topicArn;

        @Option(names = "--kms-key-id", paramLabel = "ARN",
                description = "The stack's KMS key ARN; required unless --dry-run. Env: ${bundle:env.kms-key-id}.")
        String kmsKeyId;

        @Option(names = "--function-role-arn", paramLabel = "ARN",
                description = "The rotator's role, the one principal (with the break-glass one) that may change user"
                        + " secrets; required unless --dry-run. Env: ${bundle:env.function-role-arn}.")
        String functionRoleArn;

        @Option(names = "--break-glass-principal-arn", paramLabel = "ARN",
                description = "Administrators' repair principal. Env: ${bundle:env.break-glass-principal-arn}.")
        String breakGlassPrincipalArn;

        @Option(names = "--opt-in-tag", paramLabel = "TAG",
                description = "The stack's opt-in tag; the ${bundle:parameter.userTag} parameter must equal or narrow it. Env: ${bundle:env.opt-in-tag}.")
        String optInTag;

        @Option(names = "--contact", paramLabel = "TEXT",
                description = "Whom notices tell owners to contact. Env: ${bundle:env.contact}. Default: ${DEFAULT-VALUE}.")
        String contact;

        @Option(names = "--max-concurrency", paramLabel = "N", converter = CliOptions.Concurrency.class,
                description = "Users processed at once, 1-" + EnvironmentVariable.MAX_MAX_CONCURRENCY
                        + ". Env: ${bundle:env.max-concurrency}. Default: " + EnvironmentVariable.DEFAULT_MAX_CONCURRENCY + ".")
        Integer maxConcurrency;

        private static final String NOT_NEEDED_IN_DRY_RUN = "(not used in a dry run)";

        /**
         * The function's environment as the settings see it: the typed flags over the process's variables; a dry run
         * publishes nothing, so it needs no topic (a preview before deploying has none yet).
         */
        static Map<String, String> environment(Map<String, String> env,
                                               picocli.CommandLine.Model.CommandSpec spec, boolean dryRun) {
            Map<String, String> settings = CliAws.settingsEnvironment(env, typed(spec));
            if (dryRun) {
                settings.putIfAbsent(EnvironmentVariable.NOTICE_TOPIC_ARN.name(), NOT_NEEDED_IN_DRY_RUN);
            }
            return settings;
        }

        /** The settings flags that were typed (an environment variable is the function's own and speaks for itself). */
        static Map<String, String> typed(picocli.CommandLine.Model.CommandSpec spec) {
            CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
            Map<String, String> typed = new java.util.HashMap<>();
            CliAws.SETTING_FLAGS.values().forEach(flag -> {
                if (parsed.hasMatchedOption(flag)) {
                    typed.put(flag, String.valueOf((Object) parsed.matchedOption(flag).getValue()));
                }
            });
            return typed;
        }
    }

    /**
     * What the commands that run the rotator ({@code run}, {@code rotate}) share besides its settings: the report's
     * format, how standard error reads, and the profile to sign in with.
     */
    static final class RunnerOutput {
        /** Report formats on standard output. */
        enum Output { table, json }

        /** Standard error: short lines for a person, or the function's JSON log lines. */
        enum LogFormat { text, json }

        @Option(names = "--output", paramLabel = "REPORT_FORMAT", defaultValue = "table",
                description = "Report format on standard output: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
        Output output;

        @Option(names = "--log-format", paramLabel = "LOG_FORMAT", defaultValue = "text",
                description = "Standard error: text (short lines for a person) or json (the function's log lines, with"
                        + " the report and metrics documents). Default: ${DEFAULT-VALUE}.")
        LogFormat logFormat;

        @Option(names = "--profile", paramLabel = "PROFILE", converter = CliOptions.ProfileName.class,
                description = "Credentials profile (any type the AWS CLI accepts: IAM Identity Center, assume role,"
                        + " credential_process, static keys). Default: the standard credential chain.")
        String profile;

        Optional<String> profile() {
            return Optional.ofNullable(profile);
        }

        boolean json() {
            return output == Output.json;
        }

        boolean forAPerson() {
            return logFormat == LogFormat.text;
        }

        /** Logs go to standard error, so that standard output carries only the report. */
        dev.accesskeyrotator.log.JsonLog log(java.io.PrintStream err, boolean debug, java.time.Clock clock) {
            return new dev.accesskeyrotator.log.JsonLog(forAPerson() ? new HumanLog(err, debug) : err::println, clock);
        }
    }
}
