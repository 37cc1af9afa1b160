package dev.accesskeyrotator.config;

/** A configuration value the rotator refuses to run with; the message names the setting, the value and what is allowed. */
public class ConfigurationException extends RuntimeException {
    private final String setting;

    public ConfigurationException(String setting, String message) {
        super(message);
        this.setting = setting;
    }

    /** Builds the standard message: {@code parameter 'x' has value 'v'; allowed: ...}. */
    public static ConfigurationException invalid(String setting, String value, String allowed) {
        return new ConfigurationException(setting,
                "parameter '" + setting + "' has value '" + abbreviate(value) + "'; allowed: " + allowed);
    }

    public String setting() {
        return setting;
    }

    /** Hostile values can be huge; the message stays readable and bounded. */
    public static String abbreviate(String value) {
        if (value == null) {
            return "<missing>";
        }
        String printable = value.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= 80 ? printable : printable.substring(0, 77) + "...";
    }
}
