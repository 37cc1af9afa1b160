package dev.accesskeyrotator.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The AWS shared credentials file, edited in place for one profile: other profiles, comments and order are kept.
 * Writes are atomic (temporary file, then rename) with owner-only permissions, and the previous file is kept as
 * {@code <file>.bak}.
 */
final class CredentialsFile {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private CredentialsFile() {}

    static Path defaultLocation(java.util.Map<String, String> env) {
        String override = env.get("AWS_SHARED_CREDENTIALS_FILE");
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        return Path.of(System.getProperty("user.home"), ".aws", "credentials");
    }

    /** Sets the profile's key pair (dropping any session token); returns the backup written, if any. */
    static Optional<Path> writeProfile(Path file, String profile, String accessKeyId, String secretAccessKey)
            throws IOException {
        List<String> lines = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        List<String> updated = withProfile(lines, profile, accessKeyId, secretAccessKey);
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Optional<Path> backup = Optional.empty();
        if (Files.exists(file)) {
            Path backupFile = file.resolveSibling(file.getFileName() + ".bak");
            Files.copy(file, backupFile, StandardCopyOption.REPLACE_EXISTING);
            restrict(backupFile);
            backup = Optional.of(backupFile);
        }
        Path temporary = createOwnerOnly(directory, file.getFileName() + ".tmp");
        try {
            Files.write(temporary, updated, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
        restrict(file);
        return backup;
    }

    static List<String> withProfile(List<String> lines, String profile, String accessKeyId, String secretAccessKey) {
        List<String> result = new ArrayList<>();
        boolean inProfile = false;
        boolean written = false;
        for (String line : lines) {
            String trimmed = line.strip();
            Optional<String> section = sectionName(trimmed);
            if (section.isPresent()) {
                if (inProfile && !written) {
                    appendKeys(result, accessKeyId, secretAccessKey);
                    written = true;
                }
                inProfile = section.get().equals(profile);
                result.add(line);
                continue;
            }
            if (inProfile && isKeyLine(trimmed)) {
                continue;
            }
            result.add(line);
        }
        if (inProfile && !written) {
            appendKeys(result, accessKeyId, secretAccessKey);
            written = true;
        }
        if (!written) {
            if (!result.isEmpty() && !result.get(result.size() - 1).isBlank()) {
                result.add("");
            }
            result.add("[" + profile + "]");
            appendKeys(result, accessKeyId, secretAccessKey);
        }
        return result;
    }

    /** The name in a {@code [name]} line, which may end with a {@code #} or {@code ;} comment as the SDK allows. */
    private static Optional<String> sectionName(String trimmed) {
        int end = trimmed.indexOf(']');
        if (!trimmed.startsWith("[") || end < 0) {
            return Optional.empty();
        }
        String after = trimmed.substring(end + 1).strip();
        if (!after.isEmpty() && !after.startsWith("#") && !after.startsWith(";")) {
            return Optional.empty();
        }
        return Optional.of(trimmed.substring(1, end).strip());
    }

    private static boolean isKeyLine(String trimmed) {
        String name = trimmed.contains("=") ? trimmed.substring(0, trimmed.indexOf('=')).strip() : "";
        return name.equals("aws_access_key_id") || name.equals("aws_secret_access_key")
                || name.equals("aws_session_token");
    }

    private static void appendKeys(List<String> lines, String accessKeyId, String secretAccessKey) {
        // Keep the profile's other settings (region, output) after the keys, separated from the next section.
        int insertAt = lines.size();
        while (insertAt > 0 && lines.get(insertAt - 1).isBlank()) {
            insertAt--;
        }
        lines.add(insertAt, "aws_secret_access_key = " + secretAccessKey);
        lines.add(insertAt, "aws_access_key_id = " + accessKeyId);
    }

    private static Path createOwnerOnly(Path directory, String name) throws IOException {
        Path temporary = directory.resolve(name);
        Files.deleteIfExists(temporary);
        try {
            return Files.createFile(temporary, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException notPosix) {
            return Files.createFile(temporary);
        } catch (FileAlreadyExistsException raced) {
            throw new IOException("another fetch is writing " + temporary + "; try again", raced);
        }
    }

    private static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the file inherits the user profile directory's ACL, which is already owner-only.
        }
    }
}
