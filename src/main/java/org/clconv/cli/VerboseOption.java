package org.clconv.cli;

import picocli.CommandLine.Option;

/**
 * {@code --verbose}, mixed into every subcommand: INFO logging (e.g. which backend {@code auto} chose and
 * why) and stack traces on failure. The level reaches logback.xml through the {@code clconv.log.level}
 * property, which is set before the first log call; an explicit {@code -Dclconv.log.level} wins.
 */
final class VerboseOption {
    static final String NAME = "--verbose";
    static final String LOG_LEVEL_PROPERTY = "clconv.log.level";

    @Option(names = NAME, description = "Log at INFO (backend choice and reasons) and print stack traces on errors.")
    void setVerbose(boolean verbose) {
        if (verbose && System.getProperty(LOG_LEVEL_PROPERTY) == null) {
            System.setProperty(LOG_LEVEL_PROPERTY, "INFO");
        }
    }
}
