package dev.usp.models.generation;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sampler settings refuse guidance scales and etas that would sample black images: NaN, infinite, below range. */
class SamplerSettingsTest {

    @Test
    void nanCfgScaleIsRefusedNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SamplerSettings.ddpm(10).withCfg(Double.NaN, false));
        assertTrue(e.getMessage().contains("cfg scale >= 1") && e.getMessage().contains("cfg NaN"), e.getMessage());
    }

    @Test
    void infiniteCfgScaleIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SamplerSettings.ode("euler", 4).withCfg(Double.POSITIVE_INFINITY, false));
        assertTrue(e.getMessage().contains("finite") && e.getMessage().contains("cfg Infinity"), e.getMessage());
    }

    @Test
    void nanEtaAndSmallCfgAreRefused() {
        IllegalArgumentException eta = assertThrows(IllegalArgumentException.class,
                () -> SamplerSettings.ddim(10, Double.NaN));
        assertTrue(eta.getMessage().contains("eta NaN"), eta.getMessage());
        IllegalArgumentException cfg = assertThrows(IllegalArgumentException.class,
                () -> SamplerSettings.ddpm(10).withCfg(0.5, false));
        assertTrue(cfg.getMessage().contains("cfg 0.5"), cfg.getMessage());
    }

    @Test
    void finiteGuidanceIsKept() {
        assertEquals(4.0, SamplerSettings.ddpm(10).withCfg(4.0, true).cfgScale());
    }
}
