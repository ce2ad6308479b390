package io.ciphertalk.benchmarks.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Resource figures of this JVM or of another process (from {@code /proc}). Stateless. */
final class ProcessStats {

  private ProcessStats() {}

  /** CPU time of this whole JVM process in nanoseconds, or -1. */
  static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return -1;
  }

  /** Used heap of this JVM, after full GCs until it settles when {@code gcFirst}. */
  static long heapUsed(boolean gcFirst) {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    if (gcFirst) {
      long previous = Long.MAX_VALUE;
      for (int i = 0; i < 5; i++) {
        System.gc();
        long now = mem.getHeapMemoryUsage().getUsed();
        if (now >= previous - (previous >> 7)) {
          break; // settled within 1 %
        }
        previous = now;
      }
    }
    return mem.getHeapMemoryUsage().getUsed();
  }

  static long heapMax() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
  }

  /** A sample of this JVM with the given CPU figure. */
  static ServerSample selfSample(boolean gcFirst, long cpuNanos) {
    long rss = rssBytes(ProcessHandle.current().pid());
    return new ServerSample(heapUsed(gcFirst), heapMax(), cpuNanos, rss,
        ManagementFactory.getThreadMXBean().getThreadCount());
  }

  /** utime + stime of a process from {@code /proc/PID/stat}, in nanoseconds, or -1. */
  static long procCpuNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // Fields after the command name (which may contain spaces) start after the last ')'.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
      return ticks * (1_000_000_000L / clockTicksPerSecond());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** VmRSS of a process from {@code /proc/PID/status}, or -1. */
  static long rssBytes(long pid) {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/" + pid + "/status"));
      for (String line : lines) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** Threads of a process from {@code /proc/PID/status}, or -1. */
  static int procThreads(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("Threads:")) {
          return Integer.parseInt(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private static long clockTicksPerSecond() {
    return 100; // USER_HZ is 100 on every mainstream Linux build
  }
}
