package dev.accesskeyrotator.testing;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;

import java.util.function.IntSupplier;

/** A Lambda context whose remaining time a test controls. */
public final class FakeLambdaContext implements Context {
    private final IntSupplier remainingMillis;

    public FakeLambdaContext(IntSupplier remainingMillis) {
        this.remainingMillis = remainingMillis;
    }

    /** Reads the handler's response (plain maps) back into the report type, as a client of the function would. */
    public static dev.accesskeyrotator.service.RunReport report(java.util.Map<String, Object> response) {
        return dev.accesskeyrotator.log.JsonLog.mapper().convertValue(response,
                dev.accesskeyrotator.service.RunReport.class);
    }

    public static FakeLambdaContext withPlentyOfTime() {
        return new FakeLambdaContext(() -> 900_000);
    }

    @Override public String getAwsRequestId() { return "test-request"; }
    @Override public String getLogGroupName() { return "/aws/lambda/access-key-rotator"; }
    @Override public String getLogStreamName() { return "test"; }
    @Override public String getFunctionName() { return "access-key-rotator"; }
    @Override public String getFunctionVersion() { return "1"; }
    @Override public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-1:123456789012:function:rotator:live"; }
    @Override public CognitoIdentity getIdentity() { return null; }
    @Override public ClientContext getClientContext() { return null; }
    @Override public int getRemainingTimeInMillis() { return remainingMillis.getAsInt(); }
    @Override public int getMemoryLimitInMB() { return 1024; }
    @Override public LambdaLogger getLogger() { return null; }
}
