package dev.accesskeyrotator.localaws;

import java.util.Map;

/**
 * One AWS account of the local endpoint: its own IAM users and keys, parameters, secrets, topics and KMS keys. STS
 * and Organizations are not here: they span accounts ({@link StsEmulator}, {@link OrganizationsEmulator}).
 * Requests reach an account by the credentials they are signed with ({@link LocalAws#accountOf}).
 */
public final class LocalAccount {
    private final LocalAwsContext context;
    private final IamEmulator iam;
    private final SsmEmulator ssm;
    private final KmsKeys kms;
    private final SecretsManagerEmulator secretsManager;
    private final SnsEmulator sns;
    private final Map<String, ServiceEmulator> emulators;

    LocalAccount(String accountId, String region, MutableClock clock) {
        context = new LocalAwsContext(accountId, region, clock);
        iam = new IamEmulator(context);
        ssm = new SsmEmulator(context);
        kms = new KmsKeys(context);
        secretsManager = new SecretsManagerEmulator(context, kms);
        sns = new SnsEmulator(context);
        emulators = Map.of(iam.service(), iam, ssm.service(), ssm, secretsManager.service(), secretsManager,
                sns.service(), sns, kms.service(), kms);
    }

    public String accountId() { return context.accountId(); }
    public LocalAwsContext context() { return context; }
    public IamEmulator iam() { return iam; }
    public SsmEmulator ssm() { return ssm; }
    public SecretsManagerEmulator secretsManager() { return secretsManager; }
    public SnsEmulator sns() { return sns; }
    public KmsKeys kms() { return kms; }

    /** The account's emulator of {@code service}, or null when the service is not per account. */
    ServiceEmulator emulator(String service) {
        return emulators.get(service);
    }
}
