package dev.usp.core.testing;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget.CodeUnitCallTarget;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.usp.core.engine.Convolutions;
import dev.usp.core.engine.HostArrays;
import dev.usp.core.engine.NoAutograd;

import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * What main code may not call, because DJL would let Java memory or a wrong kernel into a
 * computation; every failure names the call and what to use instead.
 *
 * <p>Each module applies these rules to its own main classes in its {@code EngineSafetyRulesTest}
 * ({@code @AnalyzeClasses} over {@code dev.usp.<module>} without tests, {@code ArchTests.in(
 * EngineSafetyRules.class)}), so {@code mvn verify} fails on a violation. The traps themselves are
 * described in the README ("DJL behaviour this code works around").
 */
public final class EngineSafetyRules {

    /** Number-operand ops whose backward reads the number (add, sub, comparisons, clip and set do not). */
    private static final Set<String> NUMBER_READ_BY_BACKWARD = Set.of(
            "mul", "div", "pow", "maximum", "minimum", "mod",
            "muli", "divi", "powi", "modi",
            "rdiv", "rdivi", "rpow", "rpowi", "rmod", "rmodi");

    private EngineSafetyRules() {
    }

    /** a. A Java number as an operand whose backward reads it: only where autograd never records. */
    @ArchTest
    public static final ArchRule NUMBER_OPERANDS_ONLY_WITHOUT_AUTOGRAD = noClasses()
            .that(notDeclaredNoAutograd())
            .should().callMethodWhere(calling("an NDArray/NDArrays op with a java.lang.Number operand whose"
                    + " backward reads it (" + String.join("/", NUMBER_READ_BY_BACKWARD.stream().sorted().toList())
                    + ")", t -> ownedBy(t, "ai.djl.ndarray.NDArray", "ai.djl.ndarray.NDArrays",
                            "ai.djl.ndarray.internal.NDArrayEx")
                    && NUMBER_READ_BY_BACKWARD.contains(t.getName())
                    && t.getRawParameterTypes().stream().anyMatch(p -> p.isEquivalentTo(Number.class))))
            .because("DJL wraps the number in a scalar over a Java buffer that autograd keeps for the backward"
                    + " while nothing keeps the buffer alive, so a GC before backward() makes the gradients NaN"
                    + " or wrong. Call dev.usp.core.engine.Scalars instead (Scalars.mul(x, v), div, pow, of(like, v)"
                    + " with the NDArray op, clampMin); only a class whose array code never runs while autograd"
                    + " records (optimiser updates, EMA, samplers and integrators under no-grad, metrics) may"
                    + " be annotated @dev.usp.core.engine.NoAutograd(\"why\") instead. Never annotate a class"
                    + " that computes a model forward or a training loss");

    /** b. Java data, or no data, becomes an array only through HostArrays. */
    @ArchTest
    public static final ArchRule ARRAYS_FROM_JAVA_DATA_ONLY_THROUGH_HOST_ARRAYS = noClasses()
            .that().doNotHaveFullyQualifiedName(HostArrays.class.getName())
            .should().callMethodWhere(calling("NDManager.create*(...)",
                    t -> ownedBy(t, "ai.djl.ndarray.NDManager") && t.getName().startsWith("create")))
            .because("create(float[]/long[]/Buffer/Number/...) wraps Java memory without copying (a view or"
                    + " a graph that outlives the Java object reads freed memory) and create(Shape) is"
                    + " uninitialised. Call dev.usp.core.engine.HostArrays (floats, doubles, longs, ints,"
                    + " booleans, scalar, of: a copy in engine memory; add an overload there if one is"
                    + " missing), NDManager.zeros/ones/full for a filled array, or Scalars.of for a 0-d number");

    /** b'. DJL's deserialisers wrap the decoded bytes the same way. */
    @ArchTest
    public static final ArchRule NO_DJL_DECODE = noClasses()
            .should().callMethodWhere(calling("NDList/NDArray/NDManager.decode(...)",
                    t -> ownedBy(t, "ai.djl.ndarray.NDList", "ai.djl.ndarray.NDArray", "ai.djl.ndarray.NDManager")
                            && t.getName().equals("decode")))
            .because("DJL decodes into a Java direct buffer that the array wraps without copying (from_blob):"
                    + " a view of it outlives the buffer. Read weights with dev.usp.core.weights (SafeTensors,"
                    + " TorchCheckpoint) and host data with dev.usp.core.engine.HostArrays");

    /** c. DJL helpers that do Number arithmetic inside: swish, relu6. */
    @ArchTest
    public static final ArchRule NO_DJL_ACTIVATIONS_WITH_JAVA_SCALARS = noClasses()
            .should().callMethodWhere(calling("ai.djl.nn.Activation.swish/relu6 or NDArrayEx.swish",
                    t -> ownedBy(t, "ai.djl.nn.Activation", "ai.djl.ndarray.internal.NDArrayEx")
                            && Set.of("swish", "swishBlock", "relu6", "relu6Block").contains(t.getName())))
            .because("they compute x.mul(beta) / x.minimum(6) with a Java scalar that autograd keeps but"
                    + " nothing keeps alive. Call dev.usp.core.nn.Activations.silu (SiLU without a Java scalar)");

    /** c. DJL's losses. */
    @ArchTest
    public static final ArchRule NO_DJL_LOSSES = noClasses()
            .should().dependOnClassesThat().resideInAPackage("ai.djl.training.loss..")
            .because("DJL's losses use Number arithmetic (mul/div/pow(Number)) inside the graph. Write the loss"
                    + " in NDArray code with dev.usp.core.engine.Scalars for its constants");

    /** c. Every convolution goes through Convolutions. */
    @ArchTest
    public static final ArchRule CONVOLUTIONS_ONLY_THROUGH_CONVOLUTIONS = noClasses()
            .that().doNotHaveFullyQualifiedName(Convolutions.class.getName())
            .should().dependOnClassesThat().resideInAPackage("ai.djl.nn.convolutional..")
            .because("oneDNN's convolution input gradient is wrong on some AVX-512 CPUs for channel counts it"
                    + " pads itself. Call dev.usp.core.engine.Convolutions.conv2d, which picks kernels that are"
                    + " right on every CPU");

    /** d. No array or buffer that views another owner's native memory. */
    @ArchTest
    public static final ArchRule NO_VIEWS_OF_NATIVE_MEMORY = noClasses()
            .should().callMethodWhere(calling("NDArray.toByteBuffer(boolean), JniUtils.getByteBuffer/"
                    + "createNdFromByteBuffer or PyTorchLibrary",
                    t -> ownedBy(t, "ai.djl.ndarray.NDArray") && t.getName().equals("toByteBuffer")
                            && t.getRawParameterTypes().size() == 1
                            || ownedBy(t, "ai.djl.pytorch.jni.JniUtils")
                            && Set.of("getByteBuffer", "createNdFromByteBuffer").contains(t.getName())
                            || ownedBy(t, "ai.djl.pytorch.jni.PyTorchLibrary")))
            .because("toByteBuffer(true) returns a direct buffer over the tensor's native memory that is"
                    + " freed with the array (a use-after-free with no GC involved), and the JNI entry points"
                    + " wrap or expose raw memory. Call toByteBuffer() or toFloatArray() (copies), and"
                    + " dev.usp.core.engine.HostArrays to make arrays");

    /** Classes neither annotated {@code @NoAutograd} nor nested in one that is. */
    private static DescribedPredicate<JavaClass> notDeclaredNoAutograd() {
        return DescribedPredicate.describe("are not declared @NoAutograd (nor nested in such a class)", c -> {
            for (Optional<JavaClass> k = Optional.of(c); k.isPresent(); k = k.get().getEnclosingClass()) {
                if (k.get().isAnnotatedWith(NoAutograd.class)) {
                    return false;
                }
            }
            return true;
        });
    }

    private static DescribedPredicate<JavaAccess<?>> calling(String description, Predicate<CodeUnitCallTarget> target) {
        return DescribedPredicate.describe(description,
                access -> access.getTarget() instanceof CodeUnitCallTarget t && target.test(t));
    }

    private static boolean ownedBy(CodeUnitCallTarget target, String... types) {
        JavaClass owner = target.getOwner();
        for (String type : types) {
            if (owner.isAssignableTo(type)) {
                return true;
            }
        }
        return false;
    }
}
