package dev.usp.dist;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import dev.usp.core.testing.EngineSafetyRules;

/** usp-dist's main classes obey the engine-safety rules (Scalars, HostArrays, Convolutions, @NoAutograd). */
@AnalyzeClasses(packages = "dev.usp.dist", importOptions = ImportOption.DoNotIncludeTests.class)
class EngineSafetyRulesTest {

    @ArchTest
    static final ArchTests RULES = ArchTests.in(EngineSafetyRules.class);
}
