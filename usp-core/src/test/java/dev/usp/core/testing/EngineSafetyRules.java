package dev.usp.core.testing;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;

import java.util.List;
import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The build-time rules that keep Java memory out of autograd graphs and every convolution on the
 * kernels that are right on this CPU (issue 13). Each module's {@code EngineSafetyRulesTest}
 * checks its own main classes with {@link #check(String)}; a violation fails {@code mvn verify}
 * with the class, the line and what to call instead.
 */
public final class EngineSafetyRules {

    /** NDArray ops whose Number operand autograd keeps for the backward pass. */
    private static final Set<String> NUMBER_OPS_READ_BY_BACKWARD = Set.of(
            "mul", "div", "pow", "maximum", "minimum", "mod", "muli", "divi", "powi", "modi");

    private static final String SCALARS = "dev.usp.core.engine.Scalars";
    private static final String HOST_ARRAYS = "dev.usp.core.engine.HostArrays";
    private static final String NO_AUTOGRAD = "dev.usp.core.engine.NoAutograd";
    private static final String CONVOLUTIONS = "dev.usp.core.engine.Convolutions";

    private EngineSafetyRules() {
    }

    /** Every rule, in the order they are reported. */
    public static List<ArchRule> all() {
        return List.of(numberOperandsOnlyThroughScalars(), javaDataOnlyThroughHostArrays(), noDjlSwish(),
                noDjlLosses(), convolutionsOnlyThroughConvolutions());
    }

    /**
     * Checks every rule against the main classes of {@code rootPackage} (e.g. {@code dev.usp.vae})
     * and fails with all violations of all rules at once.
     */
    public static void check(String rootPackage) {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS).importPackages(rootPackage);
        if (classes.isEmpty()) {
            throw new AssertionError("no main classes found in " + rootPackage);
        }
        StringBuilder failures = new StringBuilder();
        for (ArchRule rule : all()) {
            EvaluationResult result = rule.evaluate(classes);
            if (result.hasViolation()) {
                failures.append(result.getFailureReport()).append('\n');
            }
        }
        if (failures.length() > 0) {
            throw new AssertionError(failures.toString());
        }
    }

    /** {@code x.mul(2f)} and kin: a Java direct buffer that the GC frees while autograd still needs it. */
    static ArchRule numberOperandsOnlyThroughScalars() {
        return noClasses().that().doNotHaveFullyQualifiedName(SCALARS)
                .and().areNotAnnotatedWith(NO_AUTOGRAD)
                .and(notNestedInNoAutograd())
                .should().callMethodWhere(numberOperandReadByBackward())
                .because("DJL wraps the number in a tensor over a Java direct buffer that autograd keeps but the "
                        + "GC frees (NaN or wrong gradients): use Scalars.mul/div/pow(x, v), or annotate a class "
                        + "that never runs under autograd with @NoAutograd(\"why\")");
    }

    /** {@code NDManager.create(float[]...)} views Java memory; {@code create(Shape)} is uninitialised. */
    static ArchRule javaDataOnlyThroughHostArrays() {
        return noClasses().that().doNotHaveFullyQualifiedName(HOST_ARRAYS)
                .should().callMethodWhere(ownerAndName("ai.djl.ndarray.NDManager", "create"))
                .because("NDManager.create wraps Java memory without copying (a view or a graph outliving it reads "
                        + "freed memory) or returns uninitialised memory: use HostArrays.floats/longs/... (a copy in "
                        + "engine memory) or manager.zeros(...)");
    }

    /** DJL's swish multiplies by a Java number internally. */
    static ArchRule noDjlSwish() {
        return noClasses().should().callMethodWhere(ownerAndName("ai.djl.nn.Activation", "swish"))
                .because("Activation.swish(x, beta) computes x.mul(beta) with a Java buffer: use Activations.silu");
    }

    /** DJL's losses use Number operands internally. */
    static ArchRule noDjlLosses() {
        return noClasses().should().dependOnClassesThat().resideInAPackage("ai.djl.training.loss..")
                .because("DJL's losses multiply by Java numbers inside the graph: write the loss with Scalars");
    }

    /** Every convolution picks its kernels through Convolutions (oneDNN's padded backward-data is wrong on some CPUs). */
    static ArchRule convolutionsOnlyThroughConvolutions() {
        return noClasses().that().doNotHaveFullyQualifiedName(CONVOLUTIONS)
                .should().dependOnClassesThat().resideInAPackage("ai.djl.nn.convolutional..")
                .because("oneDNN's float32 input gradient is wrong on some AVX-512 CPUs when it pads channels: "
                        + "call Convolutions.conv2d (or dev.usp.core.nn.Conv2d), which avoids that kernel");
    }

    private static DescribedPredicate<JavaMethodCall> numberOperandReadByBackward() {
        return DescribedPredicate.describe("an NDArray/NDArrays op whose Number operand the backward reads "
                + NUMBER_OPS_READ_BY_BACKWARD, call -> {
                    String owner = call.getTarget().getOwner().getName();
                    return (owner.equals("ai.djl.ndarray.NDArray") || owner.equals("ai.djl.ndarray.NDArrays"))
                            && NUMBER_OPS_READ_BY_BACKWARD.contains(call.getTarget().getName())
                            && call.getTarget().getRawParameterTypes().stream()
                            .anyMatch(t -> t.getName().equals("java.lang.Number"));
                });
    }

    private static DescribedPredicate<JavaMethodCall> ownerAndName(String owner, String name) {
        return DescribedPredicate.describe(owner + "." + name + "(...)",
                call -> call.getTarget().getOwner().isAssignableTo(owner) && call.getTarget().getName().equals(name));
    }

    /** Lambdas and nested classes of an annotated class share its contract. */
    private static DescribedPredicate<JavaClass> notNestedInNoAutograd() {
        return DescribedPredicate.describe("not nested in a @NoAutograd class", c -> {
            JavaClass outer = c;
            while (outer.getEnclosingClass().isPresent()) {
                outer = outer.getEnclosingClass().get();
                if (outer.isAnnotatedWith(NO_AUTOGRAD)) {
                    return false;
                }
            }
            return true;
        });
    }
}
