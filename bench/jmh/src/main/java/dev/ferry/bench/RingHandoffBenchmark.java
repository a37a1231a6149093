package dev.ferry.bench;

import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jctools.queues.MpmcArrayQueue;
import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.SpscArrayQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

/**
 * The hand-off the core makes twice per request (event loop -> backend worker, worker -> event loop), measured for
 * the ring kinds it could use: JCTools SPSC, MPSC and MPMC array queues and the JDK's lock-based
 * ArrayBlockingQueue. One producer and one consumer thread (the machine has two cores), bounded capacity 1024 as in
 * {@link dev.ferry.core.unit.LogicalUnit#RING_CAPACITY}. Run: {@code bench/ring-handoff.sh}.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RingHandoffBenchmark {
    private static final Integer TOKEN = 1;

    @Param({"spsc", "mpsc", "mpmc", "abq"})
    public String ring;

    private Queue<Integer> queue;

    @Setup(Level.Iteration)
    public void setUp() {
        queue = switch (ring) {
            case "spsc" -> new SpscArrayQueue<>(1024);
            case "mpsc" -> new MpscArrayQueue<>(1024);
            case "mpmc" -> new MpmcArrayQueue<>(1024);
            default -> new ArrayBlockingQueue<>(1024);
        };
    }

    @Benchmark
    @Group("handoff")
    @GroupThreads(1)
    public void offer(Control control) {
        // Count only hand-offs that happened: spin on a full ring, as a frontend would stop reading.
        while (!queue.offer(TOKEN) && !control.stopMeasurement) {
            Thread.onSpinWait();
        }
    }

    @Benchmark
    @Group("handoff")
    @GroupThreads(1)
    public Integer poll(Control control) {
        Integer v;
        while ((v = queue.poll()) == null && !control.stopMeasurement) {
            Thread.onSpinWait();
        }
        return v;
    }
}
