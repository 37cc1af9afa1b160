package dev.accesskeyrotator.localaws;

/** STS, as far as a caller needs to learn which account and identity its credentials belong to. */
public final class StsEmulator implements ServiceEmulator {
    static final String NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
    /** The identity every request is treated as coming from, since signatures are not checked. */
    static final String CALLER_USER_NAME = "local";
    private static final String CALLER_USER_ID = "AIDALOCALAWSCALLER0001";

    private final LocalAwsContext context;

    public StsEmulator(LocalAwsContext context) {
        this.context = context;
    }

    @Override public String service() { return "sts"; }
    @Override public String xmlNamespace() { return NAMESPACE; }

    @Override
    public Object handle(AwsRequest request) {
        if (!request.operation().equals("GetCallerIdentity")) {
            throw new AwsServiceError(400, "InvalidAction",
                    "Could not find operation " + request.operation() + " for version 2011-06-15");
        }
        return Xml.create()
                .element("Arn", callerArn())
                .element("UserId", CALLER_USER_ID)
                .element("Account", context.accountId());
    }

    public String callerArn() {
        return "arn:aws:iam::" + context.accountId() + ":user/" + CALLER_USER_NAME;
    }
}
