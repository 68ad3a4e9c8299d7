package dev.usp.core.engine;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares that a class's array code never runs while autograd records: optimiser updates of
 * parameters, an EMA, sampler and ODE-integrator loops, metrics. There DJL's ops with a Java
 * {@code Number} operand ({@code x.mul(0.5)}) are safe and cheaper than {@link Scalars}: the
 * number's temporary tensor is only read during the op, never kept for a backward pass.
 *
 * <p>The build rule {@code EngineSafetyRules} allows such ops only in {@link Scalars} and in
 * classes with this annotation. A class that computes a model's forward pass or a training loss
 * must never carry it, whatever else it does.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface NoAutograd {

    /** Why the class never runs under autograd (e.g. "optimiser update, outside the GradientCollector"). */
    String value();
}
