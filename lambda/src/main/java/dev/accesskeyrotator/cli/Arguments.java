package dev.accesskeyrotator.cli;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code --name value} options and {@code --flag} switches, checked against what the command accepts. */
final class Arguments {
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    static Arguments parse(List<String> args, Set<String> valueOptions, Set<String> flagOptions) {
        Arguments parsed = new Arguments();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg;
            String inlineValue = null;
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 0) {
                name = arg.substring(0, equals);
                inlineValue = arg.substring(equals + 1);
            }
            if (flagOptions.contains(name) && inlineValue == null) {
                parsed.flags.add(name);
            } else if (valueOptions.contains(name)) {
                String value = inlineValue;
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException("option " + name + " needs a value");
                    }
                    value = args.get(++i);
                }
                parsed.values.put(name, value);
            } else {
                // Only the name: a value pasted after '=' may be a secret, and this message goes to a terminal.
                throw new UsageException("unknown option " + name);
            }
        }
        return parsed;
    }

    Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    boolean flag(String name) {
        return flags.contains(name);
    }
}
