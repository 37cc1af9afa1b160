package dev.accesskeyrotator.localaws;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * STS across the endpoint's accounts: who a caller is ({@code GetCallerIdentity}) and {@code AssumeRole}, which
 * hands out temporary credentials of a role in any account. Requests signed with those credentials reach the role's
 * account ({@link #accountOf}), so a test sets up several accounts and lets code under test move between them as it
 * would in AWS.
 *
 * <p>Identities: a session's access key id is its assumed role; a key id passed to {@link #identify} is that
 * principal (for example the hub worker's role); any other key id is the user {@value #CALLER_USER_NAME} of the
 * default account, as before accounts existed.
 *
 * <p>AssumeRole follows AWS where a caller can tell: a role that does not exist, that does not trust the caller's
 * principal (or its account's root), or whose {@code aws:PrincipalOrgID} condition the caller's account does not meet
 * is refused with {@code AccessDenied} (HTTP 403) and the same message for all three, as AWS does not say which;
 * {@code DurationSeconds} above the role's maximum session (1 hour here, also the role-chaining limit) is a
 * {@code ValidationError}; a request signed with a session's key after its expiration fails with
 * {@code ExpiredToken} ({@link #checkCurrent}).
 */
public final class StsEmulator implements ServiceEmulator {
    static final String NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
    /** The identity every request is treated as coming from, since signatures are not checked. */
    static final String CALLER_USER_NAME = "local";
    private static final String CALLER_USER_ID = "AIDALOCALAWSCALLER0001";
    static final int MAX_SESSION_SECONDS = 3600;
    static final int MIN_SESSION_SECONDS = 900;

    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws:iam::(\\d{12}):role/(?:[\\w+=,.@-]+/)*([\\w+=,.@-]{1,64})");
    private static final Pattern PRINCIPAL_ARN = Pattern.compile("arn:aws:(?:iam|sts)::(\\d{12}):.+");
    private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]{2,64}");

    /** A role in some account, with whom its trust policy admits. */
    public record Role(String accountId, String name, String arn, String roleId, Set<String> trustedPrincipals,
                       Optional<String> principalOrgId) { }

    /** Temporary credentials handed out by AssumeRole. */
    public record Session(String accessKeyId, String secretAccessKey, String sessionToken, Role role,
                          String sessionName, Instant expiration) {
        public String assumedRoleArn() {
            return "arn:aws:sts::" + role.accountId() + ":assumed-role/" + role.name() + "/" + sessionName;
        }
    }

    private final LocalAwsContext defaultContext;
    /** The organization an account belongs to, for {@code aws:PrincipalOrgID}; set by the endpoint. */
    private final Function<String, Optional<String>> organizationOf;
    private final Map<String, Role> rolesByArn = new HashMap<>();
    private final Map<String, Session> sessionsByKeyId = new HashMap<>();
    private final Map<String, String> principalByKeyId = new HashMap<>();

    public StsEmulator(LocalAwsContext defaultContext) {
        this(defaultContext, account -> Optional.empty());
    }

    StsEmulator(LocalAwsContext defaultContext, Function<String, Optional<String>> organizationOf) {
        this.defaultContext = defaultContext;
        this.organizationOf = organizationOf;
    }

    @Override public String service() { return "sts"; }
    @Override public String xmlNamespace() { return NAMESPACE; }

    @Override
    public Object handle(AwsRequest request) {
        String caller = WireFormat.signingAccessKeyId(request.headers()).orElse("");
        return switch (request.operation()) {
            case "GetCallerIdentity" -> callerIdentity(caller);
            case "AssumeRole" -> assumeRole(caller, request);
            default -> throw new AwsServiceError(400, "InvalidAction",
                    "Could not find operation " + request.operation() + " for version 2011-06-15");
        };
    }

    // ---- test hooks ------------------------------------------------------------------------------------------------

    /** Creates a role that principals in {@code trustedPrincipalArns} may assume (an account root admits its account). */
    public synchronized String createRole(String accountId, String roleName, Set<String> trustedPrincipalArns) {
        return createRole(accountId, roleName, trustedPrincipalArns, Optional.empty());
    }

    /** As above, with the trust policy's {@code aws:PrincipalOrgID} condition. */
    public synchronized String createRole(String accountId, String roleName, Set<String> trustedPrincipalArns,
                                          Optional<String> principalOrgId) {
        String arn = "arn:aws:iam::" + accountId + ":role/" + roleName;
        rolesByArn.put(arn, new Role(accountId, roleName, arn, "AROA" + idFor(arn), Set.copyOf(trustedPrincipalArns),
                principalOrgId));
        return arn;
    }

    public synchronized void deleteRole(String roleArn) {
        rolesByArn.remove(roleArn);
    }

    /** Requests signed with {@code accessKeyId} come from {@code principalArn} (and its account). */
    public synchronized void identify(String accessKeyId, String principalArn) {
        if (!PRINCIPAL_ARN.matcher(principalArn).matches()) {
            throw new IllegalArgumentException("not a principal ARN: " + principalArn);
        }
        principalByKeyId.put(accessKeyId, principalArn);
    }

    /** The account a request signed with {@code accessKeyId} acts in; empty for the default account. */
    public synchronized Optional<String> accountOf(String accessKeyId) {
        Session session = sessionsByKeyId.get(accessKeyId);
        if (session != null) {
            return Optional.of(session.role().accountId());
        }
        return Optional.ofNullable(principalByKeyId.get(accessKeyId)).map(StsEmulator::accountOfArn);
    }

    /** The role whose session signs with {@code accessKeyId}, if it is a session's key. */
    public synchronized Optional<String> roleArnOf(String accessKeyId) {
        return Optional.ofNullable(sessionsByKeyId.get(accessKeyId)).map(session -> session.role().arn());
    }

    /** Every session handed out so far. */
    public synchronized java.util.List<Session> sessions() {
        return java.util.List.copyOf(sessionsByKeyId.values());
    }

    public String callerArn() {
        return "arn:aws:iam::" + defaultContext.accountId() + ":user/" + CALLER_USER_NAME;
    }

    /** Throws STS's expired-token error for a request signed with a session key past its expiration. */
    synchronized void checkCurrent(String accessKeyId, AwsRequest.Protocol protocol) {
        Session session = sessionsByKeyId.get(accessKeyId);
        if (session != null && !defaultContext.now().isBefore(session.expiration())) {
            throw new AwsServiceError(400, protocol == AwsRequest.Protocol.QUERY_XML ? "ExpiredToken"
                    : "ExpiredTokenException", "The security token included in the request is expired");
        }
    }

    // ---- operations ------------------------------------------------------------------------------------------------

    private synchronized Xml callerIdentity(String accessKeyId) {
        Session session = sessionsByKeyId.get(accessKeyId);
        if (session != null) {
            return Xml.create()
                    .element("Arn", session.assumedRoleArn())
                    .element("UserId", session.role().roleId() + ":" + session.sessionName())
                    .element("Account", session.role().accountId());
        }
        String principal = principalOf(accessKeyId);
        return Xml.create()
                .element("Arn", principal)
                .element("UserId", principal.equals(callerArn()) ? CALLER_USER_ID : "AIDA" + idFor(principal))
                .element("Account", accountOfArn(principal));
    }

    private synchronized Xml assumeRole(String callerKeyId, AwsRequest request) {
        String roleArn = request.param("RoleArn").orElseThrow(() -> validation("roleArn", "null",
                "Member must not be null"));
        String sessionName = request.param("RoleSessionName").orElseThrow(() -> validation("roleSessionName",
                "null", "Member must not be null"));
        if (!SESSION_NAME.matcher(sessionName).matches()) {
            throw validation("roleSessionName", sessionName,
                    "Member must satisfy regular expression pattern: [\\w+=,.@-]*");
        }
        if (!ROLE_ARN.matcher(roleArn).matches()) {
            throw validation("roleArn", roleArn, "Member must satisfy the role ARN pattern");
        }
        int seconds = request.param("DurationSeconds").map(Integer::parseInt).orElse(MAX_SESSION_SECONDS);
        if (seconds < MIN_SESSION_SECONDS) {
            throw validation("durationSeconds", Integer.toString(seconds),
                    "Member must have value greater than or equal to " + MIN_SESSION_SECONDS);
        }
        Session callerSession = sessionsByKeyId.get(callerKeyId);
        String callerArn = callerSession != null ? callerSession.assumedRoleArn() : principalOf(callerKeyId);
        String trustPrincipal = callerSession != null ? callerSession.role().arn() : callerArn;
        Role role = rolesByArn.get(roleArn);
        if (role == null || !trusts(role, trustPrincipal)) {
            throw new AwsServiceError(403, "AccessDenied", "User: " + callerArn
                    + " is not authorized to perform: sts:AssumeRole on resource: " + roleArn);
        }
        if (seconds > MAX_SESSION_SECONDS) {
            throw new AwsServiceError(400, "ValidationError",
                    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }
        long sequence = defaultContext.nextSequence();
        String keyId = String.format("ASIA%016d", sequence);
        Session session = new Session(keyId, "local-secret-" + UUID.randomUUID(), "local-token-" + UUID.randomUUID(),
                role, sessionName, defaultContext.now().plus(Duration.ofSeconds(seconds)));
        sessionsByKeyId.put(keyId, session);
        return Xml.create()
                .nested("Credentials", xml -> xml
                        .element("AccessKeyId", session.accessKeyId())
                        .element("SecretAccessKey", session.secretAccessKey())
                        .element("SessionToken", session.sessionToken())
                        .element("Expiration", session.expiration()))
                .nested("AssumedRoleUser", xml -> xml
                        .element("AssumedRoleId", role.roleId() + ":" + sessionName)
                        .element("Arn", session.assumedRoleArn()));
    }

    private boolean trusts(Role role, String principalArn) {
        String account = accountOfArn(principalArn);
        boolean named = role.trustedPrincipals().contains(principalArn)
                || role.trustedPrincipals().contains("arn:aws:iam::" + account + ":root");
        return named && role.principalOrgId().map(org -> organizationOf.apply(account).filter(org::equals).isPresent())
                .orElse(true);
    }

    private String principalOf(String accessKeyId) {
        return principalByKeyId.getOrDefault(accessKeyId, callerArn());
    }

    private static String accountOfArn(String principalArn) {
        Matcher matcher = PRINCIPAL_ARN.matcher(principalArn);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a principal ARN: " + principalArn);
        }
        return matcher.group(1);
    }

    private static String idFor(String text) {
        return UUID.nameUUIDFromBytes(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString()
                .replace("-", "").substring(0, 17).toUpperCase(java.util.Locale.ROOT);
    }

    private static AwsServiceError validation(String member, String value, String constraint) {
        return new AwsServiceError(400, "ValidationError", "1 validation error detected: Value '" + value
                + "' at '" + member + "' failed to satisfy constraint: " + constraint);
    }
}
