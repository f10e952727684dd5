@testable import Cohort
import Foundation
import Testing

/// The batch pipeline's worker pool: results come back in submission order whatever order
/// the workers finish in, `--jobs N` means N jobs at once, and closing drops what is left.
@Suite("Ordered workers")
struct OrderedWorkersTests {
    /// A counter shared with worker threads.
    final class Gauge: @unchecked Sendable {
        private let lock = NSLock()
        private var running = 0
        private(set) var peak = 0
        private(set) var started = 0

        func enter() {
            lock.lock()
            running += 1
            started += 1
            peak = max(peak, running)
            lock.unlock()
        }

        func leave() {
            lock.lock()
            running -= 1
            lock.unlock()
        }

        var startedCount: Int {
            lock.lock()
            defer { lock.unlock() }
            return started
        }
    }

    @Test("results come back in submission order, though later jobs finish first", arguments: [1, 2, 4])
    func order(workers count: Int) {
        let gauge = Gauge()
        let workers = OrderedWorkers<Int, Int>(count: count) { job in
            gauge.enter()
            // Early jobs take longest, so with several workers they finish last.
            usleep(useconds_t(max(0, 20 - job) * 200))
            gauge.leave()
            return job * job
        }
        defer { workers.close() }
        var collected: [Int] = []
        for job in 0..<40 {
            workers.submit(job)
            while let result = workers.next(wait: workers.inFlight >= 6) { collected.append(result) }
            #expect(workers.inFlight <= 6)
        }
        while let result = workers.next(wait: true) { collected.append(result) }
        #expect(collected == (0..<40).map { $0 * $0 })
        #expect(workers.inFlight == 0)
        #expect(gauge.peak <= count, "never more jobs at once than workers")
        if count == 1 { #expect(gauge.peak == 1) }
    }

    @Test("next without waiting gives nil until the oldest job is done, and nil when nothing is in flight")
    func noWait() {
        let release = DispatchSemaphore(value: 0)
        let workers = OrderedWorkers<Int, String>(count: 2) { job in
            if job == 0 { release.wait() }
            return "job \(job)"
        }
        defer { workers.close() }
        #expect(workers.next(wait: false) == nil)
        workers.submit(0)
        workers.submit(1)
        usleep(20_000)  // job 1 is done by now; job 0 waits
        #expect(workers.next(wait: false) == nil, "job 1 is finished but job 0 comes first")
        release.signal()
        #expect(workers.next(wait: true) == "job 0")
        #expect(workers.next(wait: true) == "job 1")
        #expect(workers.next(wait: true) == nil)
    }

    @Test("close drops jobs not started")
    func closeDrops() {
        let gauge = Gauge()
        let gate = DispatchSemaphore(value: 0)
        let workers = OrderedWorkers<Int, Int>(count: 1) { job in
            gauge.enter()
            gate.wait()
            gauge.leave()
            return job
        }
        for job in 0..<5 { workers.submit(job) }
        while gauge.startedCount == 0 { usleep(1_000) }
        workers.close()
        gate.signal()
        usleep(50_000)
        #expect(gauge.startedCount == 1, "the four jobs waiting when the pool closed never ran")
    }
}
