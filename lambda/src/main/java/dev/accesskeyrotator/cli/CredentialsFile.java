package dev.accesskeyrotator.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import software.amazon.awssdk.profiles.ProfileFileLocation;

/**
 * The AWS shared credentials file, edited in place for one profile: other profiles, comments and order are kept.
 * Writes are atomic (a unique owner-only temporary file, then a rename; {@link OwnerFiles}), and the previous file is
 * kept as {@code <file>.bak}, owner-only too.
 */
final class CredentialsFile {

    private CredentialsFile() {}

    /**
     * The file the SDK and the AWS CLI read keys from: AWS_SHARED_CREDENTIALS_FILE, else .aws/credentials under
     * $HOME (the SDK's rule, not Java's user.home, which ignores $HOME), so that fetch writes the file it reads.
     */
    static Path defaultLocation() {
        return ProfileFileLocation.credentialsFilePath();
    }

    /**
     * Where the key pair went: the file written (a symbolic link's target) and the copy of what it held before;
     * {@code changed} is false when the profile already held the key and nothing was written.
     */
    record Written(Path file, Optional<Path> backup, boolean changed) { }

    /**
     * Sets the profile's key pair (dropping any session token). A symbolic link (a dotfile manager's) is written
     * through to its target, which must be a file of the user's own in a directory others cannot write; the link
     * stays. Nothing with a control character is ever written, and neither is a profile name with a bracket.
     */
    static Written writeProfile(Path file, String profile, String accessKeyId, String secretAccessKey)
            throws IOException {
        return writeProfile(file, profile, accessKeyId, secretAccessKey, OwnerFiles.RANDOM_NAMES);
    }

    static Written writeProfile(Path file, String profile, String accessKeyId, String secretAccessKey,
                                Supplier<String> temporaryNames) throws IOException {
        KeyValues.requireSingleLine("the profile name", profile);
        KeyValues.requireSingleLine("the access key id", accessKeyId);
        KeyValues.requireSingleLine("the secret access key", secretAccessKey);
        if (profile.isBlank() || profile.contains("[") || profile.contains("]")) {
            throw new KeyValues.UnsafeValue("the profile name must not be blank or hold '[' or ']'; nothing written");
        }
        Path target = target(file.toAbsolutePath());
        Path directory = target.getParent();
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
            OwnerFiles.createOwnerOnlyDirectories(directory);
        }
        OwnerFiles.checkDirectory(directory, OwnerFiles.Others.GROUP_MAY_WRITE);
        Optional<byte[]> before = Optional.empty();
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            before = Optional.of(OwnerFiles.readOwnFile(target));
        }
        List<String> lines = before.map(bytes -> new String(bytes, StandardCharsets.UTF_8).lines().toList())
                .orElse(List.of());
        List<String> updated = withProfile(lines, profile, accessKeyId, secretAccessKey);
        if (before.isPresent() && updated.equals(lines)) {
            // The profile holds this key already: the file and its backup (the key before the rotation) stay.
            return new Written(target, Optional.empty(), false);
        }
        Optional<Path> backup = Optional.empty();
        if (before.isPresent()) {
            Path backupFile = target.resolveSibling(target.getFileName() + ".bak");
            if (Files.isSymbolicLink(backupFile)) {
                throw new OwnerFiles.Unsafe(backupFile + " is a symbolic link; refusing to replace it");
            }
            if (!sameContent(backupFile, before.get())) {
                // Owner-only from the moment it exists: a copy would first take the default permissions.
                OwnerFiles.replaceAtomically(backupFile, before.get(), temporaryNames);
            }
            backup = Optional.of(backupFile);
        }
        StringBuilder text = new StringBuilder();
        updated.forEach(line -> text.append(line).append(System.lineSeparator()));
        OwnerFiles.replaceAtomically(target, text.toString().getBytes(StandardCharsets.UTF_8), temporaryNames);
        return new Written(target, backup, true);
    }

    /** A backup that already holds exactly these bytes is not rewritten (its time stays the first copy's). */
    private static boolean sameContent(Path backupFile, byte[] bytes) throws IOException {
        if (!Files.exists(backupFile, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        return java.util.Arrays.equals(OwnerFiles.readOwnFile(backupFile), bytes);
    }

    /** The file itself, or the file a symbolic link at its place points to (which must exist). */
    private static Path target(Path file) throws IOException {
        if (!Files.isSymbolicLink(file)) {
            return file;
        }
        try {
            return file.toRealPath();
        } catch (NoSuchFileException dangling) {
            throw new OwnerFiles.Unsafe(file + " is a symbolic link to " + Files.readSymbolicLink(file)
                    + ", which does not exist; create the file it points to, or remove the link");
        }
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
}
