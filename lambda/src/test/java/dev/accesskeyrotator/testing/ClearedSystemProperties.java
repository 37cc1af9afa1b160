package dev.accesskeyrotator.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Clears the named system properties before each test and gives them back after it. The SDK reads its shared
 * files, credentials and region from system properties first, so a test that sets them must neither see the
 * machine's values nor leave its own behind. Its callbacks run before the test's {@code @BeforeEach} methods and
 * after its {@code @AfterEach} methods, so those may set the properties freely.
 */
public final class ClearedSystemProperties implements BeforeEachCallback, AfterEachCallback {
    private final List<String> names;
    private final Map<String, String> saved = new HashMap<>();

    public ClearedSystemProperties(String... names) {
        this.names = List.of(names);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        saved.clear();
        for (String name : names) {
            saved.put(name, System.getProperty(name));
            System.clearProperty(name);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        saved.forEach((name, value) -> {
            if (value == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, value);
            }
        });
    }
}
