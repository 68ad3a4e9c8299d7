package dev.usp.core.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.loss.Loss;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.usp.core.engine.NoAutograd;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each {@link EngineSafetyRules} rule catches the call it is about and lets the safe neighbours
 * through, so that a DJL upgrade that renames a method cannot make a rule silently match nothing.
 */
class EngineSafetyRulesBiteTest {

    @Test
    void numberOperandsAreCaughtUnlessTheClassIsDeclaredNoAutograd() {
        ArchRule rule = EngineSafetyRules.NUMBER_OPERANDS_ONLY_WITHOUT_AUTOGRAD;
        assertBites(rule, NumberOperand.class);
        assertBites(rule, InPlaceNumberOperand.class);
        assertBites(rule, NumberOverArray.class);
        assertPasses(rule, DeclaredNoAutograd.class, DeclaredNoAutograd.Nested.class, SafeCalls.class);
    }

    @Test
    void javaDataAndUninitialisedArraysAreCaught() {
        assertBites(EngineSafetyRules.ARRAYS_FROM_JAVA_DATA_ONLY_THROUGH_HOST_ARRAYS, JavaData.class);
        assertBites(EngineSafetyRules.ARRAYS_FROM_JAVA_DATA_ONLY_THROUGH_HOST_ARRAYS, Uninitialised.class);
        assertBites(EngineSafetyRules.NO_DJL_DECODE, Decode.class);
        assertBites(EngineSafetyRules.NO_VIEWS_OF_NATIVE_MEMORY, DirectView.class);
    }

    @Test
    void djlSwishLossesAndRawConvolutionsAreCaught() {
        assertBites(EngineSafetyRules.NO_DJL_ACTIVATIONS_WITH_JAVA_SCALARS, Swish.class);
        assertBites(EngineSafetyRules.NO_DJL_LOSSES, DjlLoss.class);
        assertBites(EngineSafetyRules.CONVOLUTIONS_ONLY_THROUGH_CONVOLUTIONS, RawConvolution.class);
    }

    @Test
    void safeCallsPassEveryRule() {
        JavaClasses safe = new ClassFileImporter().importClasses(SafeCalls.class);
        for (ArchRule rule : new ArchRule[] {
            EngineSafetyRules.NUMBER_OPERANDS_ONLY_WITHOUT_AUTOGRAD,
            EngineSafetyRules.ARRAYS_FROM_JAVA_DATA_ONLY_THROUGH_HOST_ARRAYS, EngineSafetyRules.NO_DJL_DECODE,
            EngineSafetyRules.NO_DJL_ACTIVATIONS_WITH_JAVA_SCALARS, EngineSafetyRules.NO_DJL_LOSSES,
            EngineSafetyRules.CONVOLUTIONS_ONLY_THROUGH_CONVOLUTIONS, EngineSafetyRules.NO_VIEWS_OF_NATIVE_MEMORY}) {
            assertFalse(rule.evaluate(safe).hasViolation(), rule.getDescription());
        }
    }

    private static void assertBites(ArchRule rule, Class<?> offender) {
        JavaClasses classes = new ClassFileImporter().importClasses(offender, SafeCalls.class);
        assertTrue(rule.evaluate(classes).hasViolation(),
                offender.getSimpleName() + " passed " + rule.getDescription());
    }

    private static void assertPasses(ArchRule rule, Class<?>... classes) {
        EvaluationResult result = rule.evaluate(new ClassFileImporter().importClasses(classes));
        assertFalse(result.hasViolation(), result.getFailureReport().toString());
    }

    static final class NumberOperand {
        NDArray apply(NDArray x) {
            return x.mul(2f);
        }
    }

    static final class InPlaceNumberOperand {
        NDArray apply(NDArray x) {
            return x.divi(2.0);
        }
    }

    static final class NumberOverArray {
        NDArray apply(NDArray x) {
            return NDArrays.div(1, x);
        }
    }

    @NoAutograd("a test fixture")
    static final class DeclaredNoAutograd {
        NDArray apply(NDArray x) {
            return x.maximum(0);
        }

        static final class Nested {
            NDArray apply(NDArray x) {
                return x.pow(2);
            }
        }
    }

    static final class JavaData {
        NDArray apply(NDManager m) {
            return m.create(new float[] {1f});
        }
    }

    static final class Uninitialised {
        NDArray apply(NDManager m) {
            return m.create(new Shape(2));
        }
    }

    static final class Decode {
        NDList apply(NDManager m, byte[] bytes) {
            return NDList.decode(m, bytes);
        }
    }

    static final class DirectView {
        ByteBuffer apply(NDArray x) {
            return x.toByteBuffer(true);
        }
    }

    static final class Swish {
        NDArray apply(NDArray x) {
            return Activation.swish(x, 1f);
        }
    }

    static final class DjlLoss {
        Object apply() {
            return Loss.l2Loss();
        }
    }

    static final class RawConvolution {
        NDList apply(NDArray x, NDArray w) {
            return Conv2d.conv2d(x, w);
        }
    }

    /** What stays allowed: add/sub/comparisons/clip with a Number, zeros, a copying toByteBuffer. */
    static final class SafeCalls {
        NDArray apply(NDManager m, NDArray x) {
            x.toByteBuffer();
            return x.add(2f).sub(1).clip(0, 1).gt(0.5).toType(x.getDataType(), false).add(m.zeros(new Shape(1)));
        }
    }
}
