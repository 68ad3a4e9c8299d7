package dev.usp.app;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The library modules reach neither picocli nor a logging backend: both belong to the application. */
class LibraryDependenciesTest {

    @Test
    void noLibraryClassUsesPicocliOrLogback() {
        JavaClasses libraries = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.usp.core", "dev.usp.vae", "dev.usp.models", "dev.usp.train", "dev.usp.eval", "dev.usp.dist");
        noClasses().should().dependOnClassesThat().resideInAnyPackage("picocli..", "ch.qos.logback..")
                .because("a library user chooses the command-line framework and the logging backend")
                .check(libraries);
    }
}
