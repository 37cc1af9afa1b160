package dev.accesskeyrotator.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.accesskeyrotator.domain.NoticeRecord;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.port.SecretStore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which attention and blocked causes each owner was told, and when: so that an unchanged cause is repeated at most
 * every attention-reminder-days, whatever state the user's own secret is in (there may be none, or one that is not
 * the rotator's). Kept in one secret of the rotator's, {@value #NAME_UNDER_PREFIX} under the secret prefix: the '/'
 * keeps it apart from user secrets, as IAM user names cannot contain one. Read once at the start of a run, written
 * once at its end; a run that dies loses its records, and the causes are told again (at least once).
 *
 * <p>Its records silence notices, so they are trusted only from a secret proven to be the rotator's, as a user
 * secret is ({@link SecretOwnership}): one that anybody else created (another KMS key, or no value) is neither read
 * nor written, and every cause is told as if new until an administrator deletes it.
 */
public final class NoticeLedger {
    public static final String NAME_UNDER_PREFIX = "rotator/attention-notices";
    /** Secrets Manager holds at most 64 KB; the oldest records give way first. */
    static final int MAX_BYTES = 60_000;

    private record Entry(String causeHash, Instant sentAt) {}

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private volatile boolean changed;
    /** False when the secret is not provably the rotator's, or could not be read: its records must not be replaced. */
    private final boolean saveable;

    private NoticeLedger(boolean saveable) {
        this.saveable = saveable;
    }

    static NoticeLedger empty() {
        return new NoticeLedger(true);
    }

    /**
     * The ledger as the last run left it; empty (with a warning) when it cannot be read or is not the rotator's.
     *
     * @param listed the secret as the run's listing showed it; empty when there is none yet. No call is spent to
     *               confirm that: runs are hours apart, far longer than the listing takes to show a new secret, and a
     *               ledger missed that way is only replaced by records the rotator writes itself
     */
    static NoticeLedger load(SecretStore secrets, Optional<SecretStore.SecretSummary> listed,
                             SecretOwnership ownership, JsonLog log) {
        try {
            Optional<SecretStore.SecretSummary> found = listed;
            if (found.isEmpty()) {
                return empty();
            }
            Optional<String> notOwned = found.get().scheduledForDeletion()
                    ? Optional.of("it is scheduled for deletion") : ownership.whyNotOwned(found.get());
            if (notOwned.isPresent()) {
                log.warn("attention notice records secret is not the rotator's; its records are ignored and every"
                        + " cause is told until it is deleted", "secret", found.get().arn(), "why", notOwned.get());
                return new NoticeLedger(false);
            }
            Optional<SecretStore.SecretValue> value = secrets.readCurrent(found.get().arn());
            if (value.isEmpty()) {
                log.warn("attention notice records secret holds no value; its records are ignored", "secret",
                        found.get().arn());
                return new NoticeLedger(false);
            }
            NoticeLedger ledger = empty();
            try {
                ledger.parse(value.get().secretString());
            } catch (RuntimeException malformed) {
                // Only the rotator writes it: the next save replaces what a bug left.
                log.warn("attention notice records malformed; causes may be told again");
                return empty();
            }
            return ledger;
        } catch (AwsFailure failure) {
            log.warn("attention notice records unreadable; causes may be told again", "errorCode",
                    failure.errorCode());
            return new NoticeLedger(false);
        }
    }

    /** Whether this run may replace the records: they came from the rotator's own secret, or there is none yet. */
    boolean saveable() {
        return saveable;
    }

    NoticeRecord recordFor(String userName) {
        Entry entry = entries.get(userName);
        return entry == null ? NoticeRecord.NONE : NoticeRecord.NONE.withAttention(entry.causeHash(), entry.sentAt());
    }

    /** Whether the owner is to be told {@code cause} now: a new cause at once, the same one after the cadence. */
    boolean due(String userName, String cause, Instant now, int cadenceDays) {
        Entry entry = entries.get(userName);
        if (entry == null || !entry.causeHash().equals(hash(cause))) {
            return true;
        }
        return cadenceDays > 0 && !now.isBefore(entry.sentAt().plus(Duration.ofDays(cadenceDays)));
    }

    void told(String userName, String cause, Instant now) {
        entries.put(userName, new Entry(hash(cause), now));
        changed = true;
    }

    /** The cause is gone: a later one is told at once. */
    void resolved(String userName) {
        if (entries.remove(userName) != null) {
            changed = true;
        }
    }

    boolean changed() {
        return changed;
    }

    /** Newest records first, until the document reaches {@value #MAX_BYTES} bytes. */
    String render() {
        ObjectNode root = JsonLog.mapper().createObjectNode();
        ObjectNode users = root.putObject("users");
        // The size is counted as records are added: re-serializing the document for each would be quadratic.
        int bytes = utf8Length(root.toString());
        for (Map.Entry<String, Entry> e : entries.entrySet().stream()
                .sorted(Map.Entry.<String, Entry>comparingByValue(Comparator.comparing(Entry::sentAt)).reversed())
                .toList()) {
            if (bytes >= MAX_BYTES) {
                break;
            }
            ObjectNode record = users.putObject(e.getKey()).put("cause", e.getValue().causeHash())
                    .put("sentAt", e.getValue().sentAt().toString());
            bytes += (users.size() > 1 ? 1 : 0) + utf8Length(TextNode.valueOf(e.getKey()).toString()) + 1
                    + utf8Length(record.toString());
        }
        return root.toString();
    }

    private static int utf8Length(String json) {
        return json.getBytes(StandardCharsets.UTF_8).length;
    }

    private void parse(String json) {
        JsonNode users = Optional.ofNullable(json).map(text -> {
            try {
                return JsonLog.mapper().readTree(text).path("users");
            } catch (Exception e) {
                throw new IllegalArgumentException("not JSON");
            }
        }).orElseThrow();
        users.fields().forEachRemaining(field -> entries.put(field.getKey(),
                new Entry(field.getValue().path("cause").asText(), Instant.parse(field.getValue().path("sentAt")
                        .asText()))));
    }

    /** Causes name key ids and ARNs, which are not secret; a digest keeps the record small. */
    private static String hash(String cause) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(cause.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
