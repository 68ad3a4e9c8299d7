package dev.usp.core.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Inclusive bounds for a numeric config component ({@code int}, {@code long}, {@code double}, or
 * each element of a {@code List} of numbers), checked by {@link ConfigLoader}. NaN and
 * infinities are refused whatever the bounds ({@code .inf} for an unbounded maximum included).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Range {

    /** Smallest allowed value. */
    double min() default Double.NEGATIVE_INFINITY;

    /** Largest allowed value. */
    double max() default Double.POSITIVE_INFINITY;
}
