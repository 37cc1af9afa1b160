package dev.accesskeyrotator.moto;

import dev.accesskeyrotator.localaws.SimulatedCrash;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A crash of the rotator right after moto applied one call: the first successful response to {@code operation}
 * (for example {@code secretsmanager:PutSecretValue}) reaches the SDK, and the run dies there, before it sees the
 * result, as a Lambda that times out or is killed mid-protocol. moto cannot inject faults, so this happens on the
 * client side; the project's own endpoint injects the same crash on the server side ({@code Faults}).
 * {@code afterTransmission} runs inside the attempt, before the SDK unmarshalls or retries, and
 * {@link SimulatedCrash} is an Error, so neither the SDK nor the rotator absorbs it.
 */
final class ClientCrash implements ExecutionInterceptor {
    private final String operation;
    private final AtomicBoolean fired = new AtomicBoolean();

    /** @param operation as IAM policies name it, {@code service:Operation}, for example {@code iam:CreateAccessKey} */
    ClientCrash(String operation) {
        this.operation = operation;
    }

    boolean fired() {
        return fired.get();
    }

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        // The SDK names services "Iam", "SecretsManager", "Sns"; policies name them "iam", "secretsmanager", "sns".
        String call = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME).toLowerCase(java.util.Locale.ROOT)
                + ":" + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        if (call.equals(operation) && context.httpResponse().isSuccessful() && fired.compareAndSet(false, true)) {
            throw new SimulatedCrash("crash injected after " + call + " took effect in moto");
        }
    }
}
