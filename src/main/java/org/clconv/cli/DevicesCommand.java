package org.clconv.cli;

import java.util.concurrent.Callable;
import org.clconv.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code clconv devices}: the backends and devices usable on this machine. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "Lists the backends and devices usable on this machine.")
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerboseOption verbose;

    @Override
    public Integer call() {
        Backends.describeAvailable().forEach(spec.commandLine().getOut()::println);
        return 0;
    }
}
