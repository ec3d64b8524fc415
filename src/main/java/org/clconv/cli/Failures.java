package org.clconv.cli;

import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.clconv.InvalidConvolutionException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns every failure into one {@code clconv: error: <message>} line on stderr and an exit code: 2 when the
 * command line or its input is wrong (the user can fix it), 1 when running failed. The stack trace is printed
 * only with {@code --verbose}.
 */
final class Failures {
    static final int USAGE = 2;
    static final int RUNTIME = 1;

    private Failures() {
    }

    static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        command.getErr().println("clconv: error: " + e.getMessage() + " (see '"
                + command.getCommandSpec().qualifiedName() + " --help')");
        return USAGE;
    }

    static int executionError(Exception e, CommandLine command, ParseResult parsed) {
        PrintWriter err = command.getErr();
        err.println("clconv: error: " + describe(e));
        if (verbose(parsed)) {
            e.printStackTrace(err);
        }
        return isInvalidInput(e) ? USAGE : RUNTIME;
    }

    static int outOfMemory(PrintWriter err, OutOfMemoryError e) {
        err.println("clconv: error: out of memory (" + e.getMessage() + "); give Java a larger heap, e.g. "
                + "CLCONV_JAVA_OPTS=-Xmx8g");
        return RUNTIME;
    }

    private static boolean isInvalidInput(Exception e) {
        return e instanceof InvalidConvolutionException || e instanceof InvalidInputException;
    }

    /** A message that makes sense on its own, also for exceptions whose message is only a path. */
    static String describe(Throwable e) {
        if (e instanceof NoSuchFileException) {
            return withReason("no such file or folder: " + ((FileSystemException) e).getFile(), (FileSystemException) e);
        }
        if (e instanceof AccessDeniedException) {
            return withReason("permission denied: " + ((FileSystemException) e).getFile(), (FileSystemException) e);
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private static String withReason(String what, FileSystemException e) {
        return e.getReason() == null ? what : what + " (" + e.getReason() + ")";
    }

    /** {@code --verbose} on whichever (sub)command ran. */
    private static boolean verbose(ParseResult parsed) {
        ParseResult last = parsed;
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        return last.hasMatchedOption(VerboseOption.NAME);
    }
}
