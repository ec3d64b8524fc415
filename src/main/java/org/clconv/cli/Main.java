package org.clconv.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code clconv} command line. Subcommands are listed in the annotation below; adding one is adding its
 * class there. Every failure ends in one {@code clconv: error: ...} line on stderr and a non-zero exit
 * ({@link Failures}).
 */
@Command(name = "clconv", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "PyTorch-exact Conv2d on OpenCL devices, with a pure-Java CPU backend.",
        subcommands = {ConvCommand.class, DemoCommand.class, DevicesCommand.class, BenchCommand.class,
                TuneCommand.class, SoakCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /**
     * The CLI's logging setup lives under its own name, not as {@code logback.xml}, so that the library jar
     * never imposes a logback configuration on a service that embeds it.
     */
    private static final String LOGBACK_CONFIG = "clconv-cli-logback.xml";

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", LOGBACK_CONFIG);
        }
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command line with the given streams and returns its exit code (what tests call). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(new Main())
                .setOut(out)
                .setErr(err)
                .setParameterExceptionHandler(Failures::usageError)
                .setExecutionExceptionHandler(Failures::executionError);
        try {
            return commandLine.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli handles exceptions only; an Error reaches here
            return Failures.outOfMemory(err, e);
        }
    }

    /** {@code clconv} with no subcommand: show what there is to run. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Failures.USAGE;
    }

    /** The version from the jar's manifest when packaged, else "development build". */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"clconv " + (version == null ? "(development build)" : version)};
        }
    }
}
