package dev.accesskeyrotator.port;

import java.util.Map;

/** Where notices go (the stack's SNS topic). */
public interface Notifier {

    /** A plain-text notice with the message attributes that subscribers filter on. */
    record Notice(String subject, String message, Map<String, String> attributes) {}

    void publish(Notice notice);
}
