package dev.usp.core.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The allowed values of a {@code String} config component (or of each element of a
 * {@code List<String>}), checked by {@link ConfigLoader}. A null value is always allowed.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface OneOf {

    /** The allowed values, compared exactly. */
    String[] value();
}
