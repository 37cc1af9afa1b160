package dev.accesskeyrotator.localaws;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The IAM credential report life cycle, as AWS documents it:
 * <ul>
 *   <li>{@code GenerateCredentialReport} starts a generation when there is no report or the last one is older than
 *       four hours and answers {@code STARTED}; while generating it answers {@code INPROGRESS}; once done, and for
 *       four hours after, {@code COMPLETE}.</li>
 *   <li>A report is a snapshot of the users and keys as they were when its generation started; later changes show
 *       only in the next report.</li>
 *   <li>{@code GetCredentialReport} fails with {@code ReportNotPresent} (410) before any report,
 *       {@code ReportInProgress} (404) while one is being generated and {@code ReportExpired} (410) once the last
 *       one is four hours old.</li>
 * </ul>
 * Generation ends after a set number of further {@code GenerateCredentialReport} polls (the test hook
 * {@link #setPollsToComplete}), so tests control exactly how long a caller has to poll.
 * <p>
 * Not thread-safe on its own: {@link IamEmulator} calls it under its lock.
 */
final class CredentialReports {
    static final Duration MAX_AGE = Duration.ofHours(4);

    static final String HEADER = "user,arn,user_creation_time,password_enabled,password_last_used,"
            + "password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
            + "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
            + "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
            + "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
            + "cert_2_active,cert_2_last_rotated";

    /** The report writes times like {@code 2026-01-01T00:00:00+00:00}, without fractions. */
    private static final DateTimeFormatter REPORT_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx").withZone(ZoneOffset.UTC);
    private static final Instant ROOT_ACCOUNT_CREATED = Instant.parse("2020-01-01T00:00:00Z");
    private static final byte[] CORRUPT_CONTENT =
            "\u0000\u0001\u0002<html>Internal error</html>\nnot,a,credential,report".getBytes(StandardCharsets.UTF_8);

    enum State { STARTED, INPROGRESS, COMPLETE }

    /** What {@code GenerateCredentialReport} answers. */
    record Progress(State state, String description) { }

    /** A finished report: when its generation started and its CSV. */
    record Report(Instant generatedTime, byte[] content) { }

    private Report current;
    private Report generating;
    private int pollsLeft;
    private int pollsToComplete = 1;
    private boolean available = true;
    private boolean corrupt;

    /** Polls a started generation needs before it completes; 0 makes generation finish within the first call. */
    void setPollsToComplete(int polls) {
        if (polls < 0) {
            throw new IllegalArgumentException("polls must not be negative: " + polls);
        }
        pollsToComplete = polls;
    }

    void setAvailable(boolean available) {
        this.available = available;
    }

    void corrupt() {
        corrupt = true;
    }

    Progress generate(Instant now, Supplier<byte[]> snapshot) {
        if (!available) {
            throw new AwsServiceError(500, "ServiceFailure",
                    "The request processing has failed because of an unknown error, exception or failure.");
        }
        if (generating != null) {
            if (--pollsLeft > 0) {
                return new Progress(State.INPROGRESS, null);
            }
            current = generating;
            generating = null;
            return new Progress(State.COMPLETE, null);
        }
        if (current != null && isFresh(current, now)) {
            return new Progress(State.COMPLETE, null);
        }
        generating = new Report(now, snapshot.get());
        pollsLeft = pollsToComplete;
        if (pollsLeft == 0) {
            current = generating;
            generating = null;
            return new Progress(State.COMPLETE, null);
        }
        return new Progress(State.STARTED, "No report exists. Starting a new report generation task");
    }

    Report get(Instant now) {
        if (!available || (current == null && generating == null)) {
            throw new AwsServiceError(410, "ReportNotPresent", "Credential report not present. "
                    + "To generate a credential report, use GenerateCredentialReport.");
        }
        if (generating != null) {
            throw new AwsServiceError(404, "ReportInProgress", "Report generation in progress");
        }
        if (!isFresh(current, now)) {
            throw new AwsServiceError(410, "ReportExpired", "The most recent credential report has expired. "
                    + "To generate a new credential report, use GenerateCredentialReport.");
        }
        return corrupt ? new Report(current.generatedTime(), CORRUPT_CONTENT.clone()) : current;
    }

    private static boolean isFresh(Report report, Instant now) {
        return now.isBefore(report.generatedTime().plus(MAX_AGE));
    }

    /** Renders the CSV AWS produces: the root account first, then one row per user; key 1 is the older key. */
    static byte[] render(String accountId, Collection<IamEmulator.UserSnapshot> users) {
        StringBuilder csv = new StringBuilder(HEADER.length() + 200 * (users.size() + 1)).append(HEADER).append('\n');
        csv.append("<root_account>,arn:aws:iam::").append(accountId).append(":root,")
                .append(time(ROOT_ACCOUNT_CREATED))
                .append(",not_supported,N/A,not_supported,not_supported,false,")
                .append("false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n");
        for (IamEmulator.UserSnapshot user : users) {
            csv.append(field(user.name())).append(',').append(field(user.arn())).append(',')
                    .append(time(user.createDate()))
                    .append(",false,N/A,N/A,N/A,false,");
            List<IamEmulator.KeySnapshot> keys = user.keys();
            appendKey(csv, keys.size() > 0 ? Optional.of(keys.get(0)) : Optional.empty());
            appendKey(csv, keys.size() > 1 ? Optional.of(keys.get(1)) : Optional.empty());
            csv.append("false,N/A,false,N/A\n");
        }
        return csv.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** IAM user names may contain commas; such fields are quoted as CSV does. */
    private static String field(String value) {
        return value.contains(",") || value.contains("\"") ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }

    private static void appendKey(StringBuilder csv, Optional<IamEmulator.KeySnapshot> key) {
        if (key.isEmpty()) {
            csv.append("false,N/A,N/A,N/A,N/A,");
            return;
        }
        IamEmulator.KeySnapshot k = key.get();
        csv.append(k.status() == IamEmulator.KeyStatus.ACTIVE).append(',').append(time(k.createDate())).append(',');
        if (k.lastUsed().isPresent()) {
            IamEmulator.KeyUsage usage = k.lastUsed().get();
            csv.append(time(usage.date())).append(',').append(usage.region()).append(',').append(usage.serviceName());
        } else {
            csv.append("N/A,N/A,N/A");
        }
        csv.append(',');
    }

    static String time(Instant instant) {
        return REPORT_TIME.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }
}
