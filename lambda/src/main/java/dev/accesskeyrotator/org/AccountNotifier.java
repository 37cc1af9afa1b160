package dev.accesskeyrotator.org;

import dev.accesskeyrotator.contract.Notices;
import dev.accesskeyrotator.contract.Organization;
import dev.accesskeyrotator.port.Notifier;

import java.util.HashMap;
import java.util.Map;

/**
 * The hub's notice topic as one member account's run uses it: every notice names the account (attribute
 * {@value Organization#ACCOUNT_ID_ATTRIBUTE} and the first line of the message), because user names repeat across
 * accounts. The account's own run summary is not sent: the organization report's summary covers every account in
 * one notice, where hundreds of per-account summaries a day would bury it.
 */
final class AccountNotifier implements Notifier {
    private final Notifier hub;
    private final String accountId;

    AccountNotifier(Notifier hub, String accountId) {
        this.hub = hub;
        this.accountId = accountId;
    }

    @Override
    public void publish(Notice notice) {
        if (Notices.EventType.RUN_SUMMARY.value().equals(notice.attributes().get(Notices.EVENT_TYPE))) {
            return;
        }
        Map<String, String> attributes = new HashMap<>(notice.attributes());
        attributes.put(Organization.ACCOUNT_ID_ATTRIBUTE, accountId);
        hub.publish(new Notice(notice.subject(), "AWS account " + accountId + "\n\n" + notice.message(),
                Map.copyOf(attributes)));
    }
}
