import Foundation

/// A fixed set of worker threads that run submitted jobs and hand their results back in
/// the order the jobs were submitted: the batch evaluator's pipeline.
///
/// The reading thread submits chunks as it reads them and collects results as they come,
/// so the workers never wait for a whole group of chunks to finish (a window of chunks
/// evaluated together idles every worker but the last one at its end). How many jobs may
/// be in flight is the caller's choice: it collects before it submits more, and memory
/// stays bounded by that number of chunks. Call `close()` when done: the workers keep the
/// pool alive until then.
package final class OrderedWorkers<Job: Sendable, Output: Sendable>: @unchecked Sendable {
    // @unchecked: every field below `condition` is read and written only with its lock held.
    private let condition = NSCondition()
    private var waiting: [Int: Job] = [:]
    private var finished: [Int: Output] = [:]
    /// Sequence numbers: jobs submitted, started by a worker, and collected.
    private var submitted = 0
    private var started = 0
    private var collected = 0
    private var closed = false

    /// Starts `count` worker threads (at least one) that run `work` on each job.
    package init(count: Int, work: @escaping @Sendable (Job) -> Output) {
        for _ in 0..<max(count, 1) {
            let thread = Thread { [self] in self.serve(work) }
            // Rule evaluation and the record reader recurse (to their documented depth
            // limits): give workers the stack of a main thread, not a secondary thread's.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Jobs submitted and not yet collected.
    package var inFlight: Int {
        condition.lock()
        defer { condition.unlock() }
        return submitted - collected
    }

    /// Queues a job; a waiting worker starts it.
    package func submit(_ job: Job) {
        condition.lock()
        waiting[submitted] = job
        submitted += 1
        condition.broadcast()
        condition.unlock()
    }

    /// The result of the oldest job not yet collected: waits for it when `wait` is true,
    /// else returns nil when it is not finished. Nil also when nothing is in flight.
    package func next(wait: Bool) -> Output? {
        condition.lock()
        defer { condition.unlock() }
        while collected < submitted {
            if let output = finished.removeValue(forKey: collected) {
                collected += 1
                return output
            }
            guard wait else { return nil }
            condition.wait()
        }
        return nil
    }

    /// Stops the workers once the jobs already started are done; jobs not started are
    /// dropped, and results not collected are discarded.
    package func close() {
        condition.lock()
        closed = true
        waiting.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    private func serve(_ work: @Sendable (Job) -> Output) {
        while true {
            condition.lock()
            while !closed && started == submitted { condition.wait() }
            guard !closed, let job = waiting.removeValue(forKey: started) else {
                condition.unlock()
                return
            }
            let sequence = started
            started += 1
            condition.unlock()

            let output = work(job)

            condition.lock()
            if !closed { finished[sequence] = output }
            condition.broadcast()
            condition.unlock()
        }
    }
}
