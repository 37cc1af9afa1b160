package dev.accesskeyrotator.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The files on a key owner's machine that hold keys, written so that nobody else on the machine can read them, plant
 * a file the tools then trust, or redirect a write: the directory and file must belong to the user running the tool
 * and must not be writable by others; symbolic links are never followed unless the caller resolved them on purpose;
 * a file is replaced through a temporary file with an unpredictable name, created owner-only ({@code 0600}) with
 * {@code O_EXCL} in the same directory, then renamed over it. Plain NIO, so any command layer can call it.
 *
 * <p>On a file system without POSIX attributes (Windows) the checks are skipped: files there inherit the user
 * profile directory's ACL, which already admits only its user.
 */
final class OwnerFiles {
    static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final int TEMPORARY_NAME_ATTEMPTS = 8;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The random part of temporary names: 16 bytes, so that no other process can guess one and plant it. */
    static final Supplier<String> RANDOM_NAMES = () -> {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    };

    /** How strict a directory check is. */
    enum Others {
        /** Neither group nor others may write (the credentials cache's directory, which this tool creates). */
        MAY_NOT_WRITE,
        /**
         * Others may not write; the group may, as in a home directory created with the user-private-group umask
         * {@code 002} (a group of one), where the AWS CLI creates {@code ~/.aws}.
         */
        GROUP_MAY_WRITE
    }

    /** A file or directory that is not safe to trust or to write through; the message says why. */
    static final class Unsafe extends IOException {
        Unsafe(String message) {
            super(message);
        }
    }

    private OwnerFiles() {}

    static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("unix");
    }

    /**
     * Refuses a directory that is a symbolic link, is not a directory, belongs to another user or is writable by
     * others (and, with {@link Others#MAY_NOT_WRITE}, by its group).
     */
    static void checkDirectory(Path directory, Others others) throws Unsafe, IOException {
        if (!posix()) {
            return;
        }
        PosixFileAttributes attributes = Files.readAttributes(directory, PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        if (attributes.isSymbolicLink()) {
            throw new Unsafe(directory + " is a symbolic link; refusing to use it");
        }
        if (!attributes.isDirectory()) {
            throw new Unsafe(directory + " is not a directory");
        }
        checkOwner(directory);
        Set<PosixFilePermission> permissions = attributes.permissions();
        if (permissions.contains(PosixFilePermission.OTHERS_WRITE)
                || (others == Others.MAY_NOT_WRITE && permissions.contains(PosixFilePermission.GROUP_WRITE))) {
            throw new Unsafe(directory + " is writable by " + (permissions.contains(PosixFilePermission.OTHERS_WRITE)
                    ? "every user" : "its group") + " (" + PosixFilePermissions.toString(permissions)
                    + "); make it yours alone: chmod 700 " + directory);
        }
    }

    /**
     * Refuses a file that is a symbolic link, not a regular file, belongs to another user or is writable by its group
     * or others. A missing file is reported as {@link NoSuchFileException}.
     */
    static void checkFile(Path file) throws Unsafe, IOException {
        if (!posix()) {
            return;
        }
        PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        if (attributes.isSymbolicLink()) {
            throw new Unsafe(file + " is a symbolic link; refusing to follow it");
        }
        if (!attributes.isRegularFile()) {
            throw new Unsafe(file + " is not a regular file");
        }
        checkOwner(file);
        Set<PosixFilePermission> permissions = attributes.permissions();
        if (permissions.contains(PosixFilePermission.OTHERS_WRITE)
                || permissions.contains(PosixFilePermission.GROUP_WRITE)) {
            throw new Unsafe(file + " is writable by others (" + PosixFilePermissions.toString(permissions)
                    + "); make it yours alone: chmod 600 " + file);
        }
    }

    /** Reads a file after {@link #checkFile}, opening it without following a symbolic link put there since. */
    static byte[] readOwnFile(Path file) throws IOException {
        checkFile(file);
        // O_NOFOLLOW: a symbolic link swapped in after the check is refused, not followed.
        try (SeekableByteChannel channel = Files.newByteChannel(file, Set.of(StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS))) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE - 8) {
                throw new Unsafe(file + " is too large");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // read until full or end of file
            }
            return buffer.array();
        }
    }

    /** Creates the missing directories owner-only ({@code 0700}); an existing one is left as it is. */
    static void createOwnerOnlyDirectories(Path directory) throws IOException {
        if (Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (posix()) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
        } else {
            Files.createDirectories(directory);
        }
    }

    /**
     * Replaces {@code file} with {@code bytes} atomically: a new owner-only file with an unpredictable name in the same
     * directory, flushed to disk, then renamed over it. A rename replaces a symbolic link at {@code file} rather than
     * following it; callers that must refuse or follow a link decide before calling.
     *
     * @param names the random part of temporary names ({@link #RANDOM_NAMES}; tests pass a fixed one)
     */
    static void replaceAtomically(Path file, byte[] bytes, Supplier<String> names) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Path temporary = null;
        FileChannel channel = null;
        for (int attempt = 0; attempt < TEMPORARY_NAME_ATTEMPTS && channel == null; attempt++) {
            Path candidate = directory.resolve("." + file.getFileName() + "." + names.get() + ".tmp");
            try {
                // CREATE_NEW is O_CREAT|O_EXCL: it fails on anything already there, a planted symbolic link included.
                channel = FileChannel.open(candidate, Set.of(StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), ownerOnlyFile());
                temporary = candidate;
            } catch (FileAlreadyExistsException taken) {
                // someone else's name, or a planted file: try another
            }
        }
        if (channel == null) {
            throw new Unsafe("cannot create a temporary file in " + directory + ": every name tried was taken");
        }
        try {
            try (FileChannel open = channel) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    open.write(buffer);
                }
                // After a power cut the rename must not point at an empty file.
                open.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static void checkOwner(Path path) throws IOException {
        Object owner = Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int me = CurrentUser.uid();
        if (!(owner instanceof Integer uid) || uid != me) {
            throw new Unsafe(path + " belongs to another user (uid " + owner + "), not to you (uid " + me + ")");
        }
    }

    private static FileAttribute<?>[] ownerOnlyFile() {
        return posix() ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)}
                : new FileAttribute<?>[0];
    }

    /** The uid this process runs as, read once. */
    static final class CurrentUser {
        private static Integer uid;

        private CurrentUser() {}

        static synchronized int uid() throws IOException {
            if (uid == null) {
                uid = (int) new com.sun.security.auth.module.UnixSystem().getUid();
            }
            return uid;
        }
    }
}
