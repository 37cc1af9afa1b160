package dev.accesskeyrotator.infra;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The AWS operations compiled code calls through SDK v2 clients, as IAM actions ({@code iam:CreateAccessKey}).
 *
 * <p>Read from the class files' constant pools rather than the source: every call the code makes (directly, or as a
 * method reference) leaves a Methodref or InterfaceMethodref naming the client class and the method, so nothing
 * the compiler kept can be missed and nothing in a comment or string counts. A client method is named after its
 * operation ({@code createAccessKey}, {@code listSecretsPaginator} for the paginated form).
 */
final class SdkOperations {
    /** A synchronous SDK v2 client interface: {@code software/amazon/awssdk/services/iam/IamClient}. */
    static final Pattern CLIENT_CLASS =
            Pattern.compile("software/amazon/awssdk/services/([a-z0-9]+)/[A-Za-z0-9]+Client");
    /** Client methods that are not operations: lifecycle, builders and configuration. */
    static final Set<String> NOT_OPERATIONS = Set.of("close", "serviceName", "create", "builder",
            "serviceClientConfiguration", "utilities", "waiter");
    /** SDK package name to IAM service prefix, where they differ; unlisted packages would fail, not guess. */
    private static final Map<String, String> IAM_PREFIX = Map.ofEntries(
            Map.entry("iam", "iam"), Map.entry("secretsmanager", "secretsmanager"), Map.entry("ssm", "ssm"),
            Map.entry("sns", "sns"), Map.entry("sts", "sts"), Map.entry("kms", "kms"), Map.entry("sqs", "sqs"),
            Map.entry("cloudwatch", "cloudwatch"), Map.entry("cloudwatchlogs", "logs"), Map.entry("lambda", "lambda"),
            Map.entry("organizations", "organizations"), Map.entry("s3", "s3"));

    private static final int UTF8 = 1;
    private static final int INTEGER = 3;
    private static final int FLOAT = 4;
    private static final int LONG = 5;
    private static final int DOUBLE = 6;
    private static final int CLASS = 7;
    private static final int STRING = 8;
    private static final int FIELDREF = 9;
    private static final int METHODREF = 10;
    private static final int INTERFACE_METHODREF = 11;
    private static final int NAME_AND_TYPE = 12;
    private static final int METHOD_HANDLE = 15;
    private static final int METHOD_TYPE = 16;
    private static final int DYNAMIC = 17;
    private static final int INVOKE_DYNAMIC = 18;
    private static final int MODULE = 19;
    private static final int PACKAGE = 20;

    private SdkOperations() {}

    /** The operations called by the classes in {@code jar} whose entry names {@code include} accepts. */
    static Set<String> calledBy(Path jar, Predicate<String> include) {
        Set<String> operations = new TreeSet<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry entry : file.stream().toList()) {
                if (entry.getName().endsWith(".class") && include.test(entry.getName())) {
                    try (InputStream in = file.getInputStream(entry)) {
                        operations.addAll(calledBy(in.readAllBytes()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return operations;
    }

    /** The operations one class file refers to. */
    static Set<String> calledBy(byte[] classFile) {
        try {
            return read(new DataInputStream(new ByteArrayInputStream(classFile)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code iam} + {@code createAccessKey} gives {@code iam:CreateAccessKey}; null for a non-operation method. */
    static String action(String sdkPackage, String method) {
        if (NOT_OPERATIONS.contains(method)) {
            return null;
        }
        String prefix = IAM_PREFIX.get(sdkPackage);
        if (prefix == null) {
            throw new IllegalStateException("no IAM service prefix known for SDK package " + sdkPackage
                    + " (method " + method + "); add it to SdkOperations.IAM_PREFIX");
        }
        // getObjectAsBytes is GetObject read into memory, as listSecretsPaginator is ListSecrets page by page.
        String operation = method.endsWith("Paginator")
                ? method.substring(0, method.length() - "Paginator".length())
                : method.endsWith("AsBytes") ? method.substring(0, method.length() - "AsBytes".length()) : method;
        return prefix + ":" + Character.toUpperCase(operation.charAt(0)) + operation.substring(1);
    }

    private static Set<String> read(DataInputStream in) throws IOException {
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort(); // minor version
        in.readUnsignedShort(); // major version
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        int[] refClassIndex = new int[count];
        int[] refNameAndTypeIndex = new int[count];
        int[] nameIndexOfNameAndType = new int[count];
        boolean[] methodRef = new boolean[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case UTF8 -> utf8[i] = in.readUTF();
                case INTEGER, FLOAT -> in.readInt();
                case LONG, DOUBLE -> {
                    in.readLong();
                    i++; // eight-byte constants take two slots
                }
                case CLASS -> classNameIndex[i] = in.readUnsignedShort();
                case STRING, METHOD_TYPE, MODULE, PACKAGE -> in.readUnsignedShort();
                case FIELDREF, DYNAMIC, INVOKE_DYNAMIC -> in.readInt();
                case METHODREF, INTERFACE_METHODREF -> {
                    methodRef[i] = true;
                    refClassIndex[i] = in.readUnsignedShort();
                    refNameAndTypeIndex[i] = in.readUnsignedShort();
                }
                case NAME_AND_TYPE -> {
                    nameIndexOfNameAndType[i] = in.readUnsignedShort();
                    in.readUnsignedShort();
                }
                case METHOD_HANDLE -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                default -> throw new IOException("unknown constant pool tag " + tag + " at " + i);
            }
        }
        Set<String> operations = new TreeSet<>();
        for (int i = 1; i < count; i++) {
            if (!methodRef[i]) {
                continue;
            }
            String owner = utf8[classNameIndex[refClassIndex[i]]];
            Matcher client = CLIENT_CLASS.matcher(owner);
            if (client.matches()) {
                String action = action(client.group(1), utf8[nameIndexOfNameAndType[refNameAndTypeIndex[i]]]);
                if (action != null) {
                    operations.add(action);
                }
            }
        }
        return operations;
    }
}
