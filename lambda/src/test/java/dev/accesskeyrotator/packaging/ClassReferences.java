package dev.accesskeyrotator.packaging;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The classes one class file names, read from its constant pool as jdeps does: every class constant, and every
 * class named in a field or method descriptor or a generic signature (the verifier and reflection resolve those
 * too). Names are internal ({@code a/b/C}); array types are reduced to their element class.
 */
final class ClassReferences {
    /** {@code Lpkg/Name;} inside a descriptor or signature; generic arguments end a name at {@code <}. */
    private static final Pattern IN_DESCRIPTOR = Pattern.compile("L([\\w/$]+)[;<]");

    private ClassReferences() {}

    static Set<String> of(byte[] classFile) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile))) {
            if (in.readInt() != 0xCAFEBABE) {
                throw new IllegalArgumentException("not a class file");
            }
            in.readUnsignedShort();
            in.readUnsignedShort();
            int count = in.readUnsignedShort();
            String[] utf8 = new String[count];
            List<Integer> classNameIndexes = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = in.readUTF();
                    case 7 -> classNameIndexes.add(in.readUnsignedShort());
                    case 8, 16, 19, 20 -> in.readUnsignedShort();
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
                    case 5, 6 -> {
                        in.readLong();
                        i++; // a long or double takes two entries
                    }
                    case 15 -> {
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                    }
                    default -> throw new IllegalArgumentException("unknown constant pool tag " + tag);
                }
            }
            Set<String> names = new TreeSet<>();
            for (int index : classNameIndexes) {
                String name = utf8[index];
                int arrayDepth = 0;
                while (name.charAt(arrayDepth) == '[') {
                    arrayDepth++;
                }
                if (arrayDepth == 0) {
                    names.add(name);
                } else {
                    fromDescriptor(name, names);
                }
            }
            for (String text : utf8) {
                // Descriptors and signatures; a string constant that happens to look like one names a class
                // too, which at worst asks for one more class to be present.
                if (text != null && (text.startsWith("(") || text.startsWith("L") || text.startsWith("<")
                        || text.startsWith("["))) {
                    fromDescriptor(text, names);
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void fromDescriptor(String descriptor, Set<String> names) {
        Matcher matcher = IN_DESCRIPTOR.matcher(descriptor);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
    }
}
