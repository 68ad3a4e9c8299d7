package dev.usp.models;

import dev.usp.core.testing.EngineSafetyRules;
import org.junit.jupiter.api.Test;

/** This module's main code follows the engine-safety rules (no Java memory in autograd graphs, safe convolutions). */
class EngineSafetyRulesTest {

    @Test
    void mainCodeFollowsTheEngineSafetyRules() {
        EngineSafetyRules.check("dev.usp.models");
    }
}
