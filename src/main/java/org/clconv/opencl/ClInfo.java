package org.clconv.opencl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;

/** Typed {@code clGet*Info} queries (strings, integers, sizes), each checked through {@link ClErrors}. */
final class ClInfo {
    private ClInfo() {
    }

    /** One {@code clGet*Info} function bound to its object and parameter: (size, value, sizeRet) -> code. */
    @FunctionalInterface
    private interface Query {
        int run(long size, Pointer value, long[] sizeRet);
    }

    static String platformString(cl_platform_id platform, int param) {
        return string("clGetPlatformInfo", (s, v, r) -> CL.clGetPlatformInfo(platform, param, s, v, r));
    }

    static String deviceString(cl_device_id device, int param) {
        return string("clGetDeviceInfo", (s, v, r) -> CL.clGetDeviceInfo(device, param, s, v, r));
    }

    /** A {@code cl_uint} device property. */
    static int deviceUint(cl_device_id device, int param) {
        return bytes("clGetDeviceInfo", Sizeof.cl_uint, (s, v, r) -> CL.clGetDeviceInfo(device, param, s, v, r))
                .getInt();
    }

    /** A {@code cl_ulong} (or {@code cl_bitfield}) device property. */
    static long deviceUlong(cl_device_id device, int param) {
        return bytes("clGetDeviceInfo", Sizeof.cl_ulong, (s, v, r) -> CL.clGetDeviceInfo(device, param, s, v, r))
                .getLong();
    }

    /** A {@code size_t} device property, whatever the platform's pointer width. */
    static long deviceSize(cl_device_id device, int param) {
        ByteBuffer b = bytes("clGetDeviceInfo", Sizeof.size_t, (s, v, r) -> CL.clGetDeviceInfo(device, param, s, v, r));
        return Sizeof.size_t == 8 ? b.getLong() : b.getInt() & 0xFFFFFFFFL;
    }

    static String buildLog(cl_program program, cl_device_id device) {
        return string("clGetProgramBuildInfo",
                (s, v, r) -> CL.clGetProgramBuildInfo(program, device, CL.CL_PROGRAM_BUILD_LOG, s, v, r));
    }

    private static String string(String call, Query query) {
        long[] size = new long[1];
        ClErrors.check(call, query.run(0, null, size));
        byte[] text = new byte[(int) size[0]];
        if (text.length > 0) {
            ClErrors.check(call, query.run(text.length, Pointer.to(text), null));
        }
        int end = text.length;
        while (end > 0 && text[end - 1] == 0) {
            end--;
        }
        return new String(text, 0, end, StandardCharsets.UTF_8).trim();
    }

    private static ByteBuffer bytes(String call, int size, Query query) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        ClErrors.check(call, query.run(size, Pointer.to(b), null));
        return b;
    }
}
