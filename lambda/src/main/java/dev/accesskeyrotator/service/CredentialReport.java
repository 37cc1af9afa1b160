package dev.accesskeyrotator.service;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The IAM credential report reduced to what triage needs: per user, each key's status and creation time.
 * It holds no key ids, so it can only tell which users certainly need nothing; everyone else is looked at.
 */
public final class CredentialReport {

    /** AWS regenerates the report at most every four hours; anything older has been left behind. */
    public static final Duration MAX_AGE = Duration.ofHours(4);

    /**
     * One key slot of a report row.
     *
     * @param lastUsed IAM's last use of the key; empty when never used or when the report has no such column
     */
    public record KeySlot(boolean active, Instant lastRotated, Optional<Instant> lastUsed) {
        public KeySlot(boolean active, Instant lastRotated) {
            this(active, lastRotated, Optional.empty());
        }
    }

    private final Instant generatedAt;
    private final Map<String, List<KeySlot>> keysByUser;

    private CredentialReport(Instant generatedAt, Map<String, List<KeySlot>> keysByUser) {
        this.generatedAt = generatedAt;
        this.keysByUser = keysByUser;
    }

    public Instant generatedAt() {
        return generatedAt;
    }

    public boolean isStale(Instant now) {
        return generatedAt.plus(MAX_AGE).isBefore(now);
    }

    /** The user's keys as of the report; empty if the user is not in it (created since). */
    public Optional<List<KeySlot>> keysOf(String userName) {
        return Optional.ofNullable(keysByUser.get(userName));
    }

    /** @throws IllegalArgumentException when the CSV does not have the documented columns or values */
    public static CredentialReport parse(String csv, Instant generatedAt) {
        String[] lines = csv.split("\r?\n");
        if (lines.length == 0) {
            throw new IllegalArgumentException("empty credential report");
        }
        List<String> header = cells(lines[0]);
        int user = column(header, "user");
        int[] active = {column(header, "access_key_1_active"), column(header, "access_key_2_active")};
        int[] rotated = {column(header, "access_key_1_last_rotated"), column(header, "access_key_2_last_rotated")};
        // Last use decides the on-use cut-over in bulk; a report without the columns only costs per-user calls.
        int[] used = {header.indexOf("access_key_1_last_used_date"), header.indexOf("access_key_2_last_used_date")};
        Map<String, List<KeySlot>> keysByUser = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            List<String> cells = cells(lines[i]);
            if (cells.size() != header.size()) {
                throw new IllegalArgumentException("credential report line " + (i + 1) + " has " + cells.size()
                        + " columns, expected " + header.size());
            }
            List<KeySlot> keys = new ArrayList<>(2);
            for (int slot = 0; slot < 2; slot++) {
                String activeCell = cells.get(active[slot]);
                String rotatedCell = cells.get(rotated[slot]);
                if (!"N/A".equals(rotatedCell)) {
                    String usedCell = used[slot] < 0 ? "N/A" : cells.get(used[slot]);
                    keys.add(new KeySlot(parseBoolean(activeCell, i), parseInstant(rotatedCell, i),
                            "N/A".equals(usedCell) || usedCell.isEmpty() ? Optional.empty()
                                    : Optional.of(parseInstant(usedCell, i))));
                }
            }
            keysByUser.put(cells.get(user), List.copyOf(keys));
        }
        return new CredentialReport(generatedAt, keysByUser);
    }

    /** One CSV line: fields may be quoted (IAM user names can contain commas), with "" for a quote. */
    static List<String> cells(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
    }

    private static int column(List<String> header, String name) {
        int index = header.indexOf(name);
        if (index < 0) {
            throw new IllegalArgumentException("credential report has no column " + name);
        }
        return index;
    }

    private static boolean parseBoolean(String cell, int line) {
        return switch (cell) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("credential report line " + (line + 1)
                    + ": key status is neither true nor false");
        };
    }

    private static Instant parseInstant(String cell, int line) {
        try {
            return OffsetDateTime.parse(cell).toInstant();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("credential report line " + (line + 1) + ": unreadable date");
        }
    }
}
