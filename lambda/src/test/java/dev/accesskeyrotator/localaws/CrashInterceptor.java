package dev.accesskeyrotator.localaws;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Turns the endpoint's crash marker into a {@link SimulatedCrash} inside the SDK call. It acts in
 * {@code afterTransmission}, the first hook that sees the HTTP response, which runs inside each attempt before the
 * SDK unmarshalls the response or decides to retry, so the 500 status carrying the marker is never retried.
 */
final class CrashInterceptor implements ExecutionInterceptor {
    static final String CRASH_HEADER = "x-localaws-crash";

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        if (context.httpResponse().firstMatchingHeader(CRASH_HEADER).isPresent()) {
            throw new SimulatedCrash("crash injected after "
                    + attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME) + "."
                    + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME) + " took effect");
        }
    }
}
