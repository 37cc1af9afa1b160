package dev.accesskeyrotator.contract;

/**
 * Rev 3, emergency rotation: the AWS Health event that announces an exposed access key, as AWS documents it, which
 * the stack's rule matches and the function reads; and the admin payload's top-level key. One spelling for both.
 */
public final class ExposureEvent {
    /** EventBridge {@code source} of AWS Health events. */
    public static final String SOURCE = "aws.health";
    /** EventBridge {@code detail-type} of AWS Health events. */
    public static final String DETAIL_TYPE = "AWS Health Event";
    /** {@code detail.service} of the exposure event. */
    public static final String SERVICE = "RISK";
    /** {@code detail.eventTypeCode}; the key ids are in {@code detail.affectedEntities[].entityValue}. */
    public static final String EVENT_TYPE_CODE = "AWS_RISK_CREDENTIALS_EXPOSED";
    /** The admin payload: {@code {"emergency": {"accessKeyIds": [...] | "users": [...], "reason": "..."}}}. */
    public static final String ADMIN_PAYLOAD_KEY = "emergency";

    private ExposureEvent() {}
}
