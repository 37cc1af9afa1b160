package dev.accesskeyrotator.infra;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;

/**
 * Which AWS operations code can reach from given methods, read from the function jar's method bodies: a finer view
 * than {@link SdkOperations} (which reads whole classes), for the organization hub, whose three functions share
 * classes but not roles (the lister writes to S3 through the same adapter the aggregator also reads with).
 *
 * <p>Edges: every invoke instruction to a method of the scanned code, resolved as the JVM may dispatch it (the
 * declaring class or an ancestor, and every scanned subtype that overrides it); every lambda or method reference
 * created (its body counts as called where it is created). A class instantiated may also be called by code outside
 * the scan (the JDK, the SDK, the Lambda runtime) through the outside types it implements, so constructing it reaches
 * its methods that no scanned supertype declares. An SDK client method named by an invoke or a method reference is
 * an operation ({@link SdkOperations#action}).
 *
 * <p>{@link #reach} can stop at a boundary of types: calls on them are collected instead of followed, so that what
 * runs with other credentials (a member account's adapters) is weighed against another role.
 */
final class CallGraph {
    /** A method: {@code dev/accesskeyrotator/org/ListAccountsHandler}, {@code handleRequest}, its descriptor. */
    record Method(String owner, String name, String descriptor) {
        String signature() {
            return name + descriptor;
        }
    }

    /** What {@link #reach} found: the operations, and the calls on boundary types it did not follow. */
    record Reach(Set<String> operations, Set<Method> boundaryCalls) { }

    private record ClassFacts(String name, String superName, List<String> interfaces, Set<String> methods,
                              Set<String> overridable) { }

    private final Map<String, ClassFacts> classes = new HashMap<>();
    private final Map<Method, Set<Method>> invokes = new HashMap<>();
    private final Map<Method, Set<String>> operations = new HashMap<>();

    private CallGraph() { }

    /** The graph of the classes in {@code jar} whose entry names {@code include} accepts. */
    static CallGraph of(Path jar, Predicate<String> include) {
        CallGraph graph = new CallGraph();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry entry : file.stream().toList()) {
                if (entry.getName().endsWith(".class") && include.test(entry.getName())) {
                    try (InputStream in = file.getInputStream(entry)) {
                        new ClassReader(in).accept(graph.new Reader(),
                                ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return graph;
    }

    boolean contains(String className) {
        return classes.containsKey(className);
    }

    /** Every method a class declares: a handler's constructors (run at init) and its entry method. */
    List<Method> methodsOf(String className) {
        ClassFacts facts = classes.get(className);
        if (facts == null) {
            throw new IllegalArgumentException("no class " + className + " in the scanned code");
        }
        return facts.methods().stream().map(s -> method(className, s)).toList();
    }

    /** The methods a call to {@code called} may run. */
    Set<Method> targets(Method called) {
        Set<Method> targets = new LinkedHashSet<>();
        declaringAncestor(called.owner(), called.signature()).ifPresent(owner ->
                targets.add(new Method(owner, called.name(), called.descriptor())));
        for (ClassFacts facts : classes.values()) {
            if (facts.methods().contains(called.signature()) && isSubtype(facts.name(), called.owner())) {
                targets.add(new Method(facts.name(), called.name(), called.descriptor()));
            }
        }
        return targets;
    }

    /**
     * The operations reachable from {@code roots}; calls on a type in {@code boundary} (or a subtype) are collected
     * in {@link Reach#boundaryCalls()} and not followed.
     */
    Reach reach(Collection<Method> roots, Set<String> boundary) {
        Set<String> found = new TreeSet<>();
        Set<Method> boundaryCalls = new TreeSet<>(java.util.Comparator.comparing(Method::toString));
        Set<Method> seen = new HashSet<>();
        Deque<Method> queue = new ArrayDeque<>(roots);
        while (!queue.isEmpty()) {
            Method method = queue.removeFirst();
            if (!seen.add(method)) {
                continue;
            }
            found.addAll(operations.getOrDefault(method, Set.of()));
            if (method.name().equals("<init>")) {
                queue.addAll(calledFromOutside(method.owner()));
            }
            queue.add(new Method(method.owner(), "<clinit>", "()V"));
            for (Method called : invokes.getOrDefault(method, Set.of())) {
                if (boundary.stream().anyMatch(type -> isSubtype(called.owner(), type))) {
                    boundaryCalls.add(called);
                } else {
                    queue.addAll(targets(called));
                }
            }
        }
        return new Reach(found, boundaryCalls);
    }

    /** The types a method of the scanned code returns: {@code ()Ldev/.../IdentityDirectory;} gives that class. */
    Set<String> scannedReturnTypes(String className) {
        Set<String> types = new TreeSet<>();
        for (Method method : methodsOf(className)) {
            String returned = org.objectweb.asm.Type.getReturnType(method.descriptor()).getInternalName();
            if (classes.containsKey(returned)) {
                types.add(returned);
            }
        }
        return types;
    }

    private List<Method> calledFromOutside(String className) {
        ClassFacts facts = classes.get(className);
        if (facts == null || !hasOutsideSupertype(facts)) {
            return List.of();
        }
        List<Method> methods = new ArrayList<>();
        for (String signature : facts.overridable()) {
            if (supertypes(className).stream().filter(t -> !t.equals(className))
                    .noneMatch(t -> classes.get(t).methods().contains(signature))) {
                methods.add(method(className, signature));
            }
        }
        return methods;
    }

    private boolean hasOutsideSupertype(ClassFacts facts) {
        Set<String> plain = Set.of("java/lang/Object", "java/lang/Record", "java/lang/Enum");
        for (String type : supertypes(facts.name())) {
            ClassFacts known = classes.get(type);
            List<String> parents = new ArrayList<>(known.interfaces());
            if (known.superName() != null) {
                parents.add(known.superName());
            }
            if (parents.stream().anyMatch(p -> !classes.containsKey(p) && !plain.contains(p))) {
                return true;
            }
        }
        return false;
    }

    /** The class itself and its scanned ancestors (classes and interfaces). */
    private Set<String> supertypes(String className) {
        Set<String> result = new LinkedHashSet<>();
        Deque<String> queue = new ArrayDeque<>(List.of(className));
        while (!queue.isEmpty()) {
            String type = queue.removeFirst();
            ClassFacts facts = classes.get(type);
            if (facts != null && result.add(type)) {
                if (facts.superName() != null) {
                    queue.add(facts.superName());
                }
                queue.addAll(facts.interfaces());
            }
        }
        return result;
    }

    private boolean isSubtype(String type, String ancestor) {
        return type.equals(ancestor) || supertypes(type).contains(ancestor);
    }

    private java.util.Optional<String> declaringAncestor(String owner, String signature) {
        return supertypes(owner).stream().filter(t -> classes.get(t).methods().contains(signature)).findFirst();
    }

    private static Method method(String owner, String signature) {
        int paren = signature.indexOf('(');
        return new Method(owner, signature.substring(0, paren), signature.substring(paren));
    }

    private final class Reader extends ClassVisitor {
        private ClassFacts facts;

        Reader() {
            super(Opcodes.ASM9);
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName,
                          String[] interfaces) {
            facts = new ClassFacts(name, superName, List.of(interfaces), new LinkedHashSet<>(), new LinkedHashSet<>());
            classes.put(name, facts);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                         String[] exceptions) {
            facts.methods().add(name + descriptor);
            if ((access & (Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC)) == 0 && !name.startsWith("<")) {
                facts.overridable().add(name + descriptor);
            }
            Method caller = new Method(facts.name(), name, descriptor);
            return new MethodVisitor(Opcodes.ASM9) {
                @Override
                public void visitMethodInsn(int opcode, String owner, String called, String calledDescriptor,
                                            boolean isInterface) {
                    refer(caller, owner, called, calledDescriptor);
                }

                @Override
                public void visitInvokeDynamicInsn(String called, String calledDescriptor, Handle bootstrap,
                                                   Object... arguments) {
                    for (Object argument : arguments) {
                        if (argument instanceof Handle handle) {
                            refer(caller, handle.getOwner(), handle.getName(), handle.getDesc());
                        }
                    }
                }
            };
        }
    }

    private void refer(Method caller, String owner, String name, String descriptor) {
        Matcher client = SdkOperations.CLIENT_CLASS.matcher(owner);
        if (client.matches()) {
            String action = SdkOperations.action(client.group(1), name);
            if (action != null) {
                operations.computeIfAbsent(caller, k -> new TreeSet<>()).add(action);
            }
        } else if (owner.startsWith("dev/accesskeyrotator/")) {
            invokes.computeIfAbsent(caller, k -> new LinkedHashSet<>()).add(new Method(owner, name, descriptor));
        }
    }
}
