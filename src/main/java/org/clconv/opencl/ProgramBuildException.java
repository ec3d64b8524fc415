package org.clconv.opencl;

/**
 * An OpenCL program failed to compile. Carries the compiler's build log and the build options, because the
 * error code alone ({@code CL_BUILD_PROGRAM_FAILURE}) says nothing about what went wrong.
 */
public final class ProgramBuildException extends OpenClException {
    private static final long serialVersionUID = 1L;

    private final String sourceName;
    private final String options;
    private final String buildLog;

    public ProgramBuildException(String sourceName, int errorCode, String options, String buildLog) {
        super("clBuildProgram", errorCode, "clBuildProgram: " + ClErrors.name(errorCode) + " for " + sourceName
                + " with options [" + options + "]\nbuild log:\n" + buildLog);
        this.sourceName = sourceName;
        this.options = options;
        this.buildLog = buildLog;
    }

    public String sourceName() {
        return sourceName;
    }

    public String options() {
        return options;
    }

    public String buildLog() {
        return buildLog;
    }
}
