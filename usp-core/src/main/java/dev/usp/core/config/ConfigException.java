package dev.usp.core.config;

/** A configuration that cannot be loaded: unknown key, wrong type, value out of range. */
public final class ConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** An error whose message names the key, the value, where it came from and what is allowed. */
    public ConfigException(String message) {
        super(message);
    }

    /** An error with a cause, e.g. the YAML parser's. */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
