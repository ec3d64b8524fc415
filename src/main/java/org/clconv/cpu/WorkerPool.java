package org.clconv.cpu;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The CPU backend's threads: {@code workers} daemon threads that take tasks from one queue. A worker that runs
 * out of tasks keeps polling for {@link #SPIN_NANOS} before it parks, as ONNX Runtime's and OpenMP's pools do:
 * waking a parked thread costs tens of microseconds here (more on a busy virtual machine), as much as a whole
 * small layer, while the next layer of a network usually comes within microseconds. The poll must outlast the
 * wait between a worker's last chunk and the caller's next call, which is up to a chunk long: with 50 us the
 * worker had mostly parked by then (a 3x3 dilated 256-channel layer on two threads: the helper started a median
 * 84 us into each call; with 300 us, 4 us). The spin is bounded, so an idle backend costs no CPU;
 * {@code -Dclconv.cpu.spinMicros=0} turns it off.
 */
final class WorkerPool implements AutoCloseable {
    /** How long an idle worker, or a caller waiting for its helpers, polls before it parks. */
    static final long SPIN_NANOS = Math.max(0, Long.getLong("clconv.cpu.spinMicros", 250)) * 1000;

    private final Thread[] workers;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Thread> parked = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    WorkerPool(int workers) {
        this.workers = new Thread[workers];
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::workLoop, "clconv-cpu-" + i);
            t.setDaemon(true);
            this.workers[i] = t;
            t.start();
        }
    }

    int workers() {
        return workers.length;
    }

    /** 1 + the index of the calling thread among the workers; 0 for any other thread (a caller). */
    int participant() {
        Thread me = Thread.currentThread();
        for (int i = 0; i < workers.length; i++) {
            if (workers[i] == me) {
                return i + 1;
            }
        }
        return 0;
    }

    /** Queues a task for the next free worker; throws RejectedExecutionException once the pool is closed. */
    void execute(Runnable task) {
        if (closed) {
            throw new RejectedExecutionException("the worker pool is closed");
        }
        tasks.add(task);
        Thread sleeper = parked.poll();
        if (sleeper != null) {
            LockSupport.unpark(sleeper);
        }
    }

    private void workLoop() {
        Thread me = Thread.currentThread();
        while (!closed) {
            Runnable task = tasks.poll();
            if (task != null) {
                task.run();
                continue;
            }
            if (spinUntil(() -> !tasks.isEmpty() || closed)) {
                continue;
            }
            // registered before the last look at the queue: a task queued after that look finds this thread
            // in parked and unparks it, so the park below returns at once
            parked.add(me);
            if (tasks.isEmpty() && !closed) {
                LockSupport.park(this);
            }
            parked.remove(me);
        }
    }

    /** Polls {@code ready} for up to {@link #SPIN_NANOS}; whether it became true. */
    static boolean spinUntil(BooleanSupplier ready) {
        long start = System.nanoTime();
        while (System.nanoTime() - start < SPIN_NANOS) {
            if (ready.getAsBoolean()) {
                return true;
            }
            Thread.onSpinWait();
        }
        return ready.getAsBoolean();
    }

    /** Stops taking tasks and waits for the workers to finish the ones they are running. */
    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            LockSupport.unpark(t);
        }
        boolean interrupted = false;
        for (Thread t : workers) {
            // a worker closing its own pool (nothing of clconv's does) would wait for itself
            while (t.isAlive() && t != Thread.currentThread()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
