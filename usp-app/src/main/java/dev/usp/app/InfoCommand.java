package dev.usp.app;

import dev.usp.core.engine.Devices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code usp info}: prints the engine, its version, the devices and the thread counts. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the engine, its version, the selected device(s) and thread counts.")
final class InfoCommand implements Callable<Integer> {

    @Mixin
    private CommonOptions common;

    @Override
    public Integer call() {
        System.out.println(Devices.describe(common.devices()));
        return 0;
    }
}
