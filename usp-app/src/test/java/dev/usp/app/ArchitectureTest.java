package dev.usp.app;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The module arrows of README "Modules", checked on every main class of every module (usp-app's
 * test classpath holds them all): core < vae, models < eval < train < dist < app, nothing upward, and no
 * cycle between packages.
 */
@AnalyzeClasses(packages = "dev.usp", importOptions = {ImportOption.DoNotIncludeTests.class,
        ArchitectureTest.NoTestJars.class})
class ArchitectureTest {

    /** Leaves out the modules' test-jars (test fixtures shared between modules), which are not main code. */
    static final class NoTestJars implements ImportOption {
        @Override
        public boolean includes(com.tngtech.archunit.core.importer.Location location) {
            return !location.contains("-tests.jar") && !location.contains("/test-classes/");
        }
    }

    @ArchTest
    static final ArchRule MODULES_POINT_DOWN = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("core").definedBy("dev.usp.core..")
            .layer("vae").definedBy("dev.usp.vae..")
            .layer("models").definedBy("dev.usp.models..")
            .layer("eval").definedBy("dev.usp.eval..")
            .layer("train").definedBy("dev.usp.train..")
            .layer("dist").definedBy("dev.usp.dist..")
            .layer("app").definedBy("dev.usp.app..")
            .whereLayer("app").mayNotBeAccessedByAnyLayer()
            .whereLayer("dist").mayOnlyBeAccessedByLayers("app")
            .whereLayer("train").mayOnlyBeAccessedByLayers("dist", "app")
            .whereLayer("eval").mayOnlyBeAccessedByLayers("train", "dist", "app")
            .whereLayer("models").mayOnlyBeAccessedByLayers("eval", "train", "dist", "app")
            .whereLayer("vae").mayOnlyBeAccessedByLayers("eval", "train", "dist", "app")
            .whereLayer("core").mayOnlyBeAccessedByLayers("vae", "models", "eval", "train", "dist", "app");

    @ArchTest
    static final ArchRule NO_PACKAGE_CYCLES = slices().matching("dev.usp.(*).(*)..").should().beFreeOfCycles();
}
