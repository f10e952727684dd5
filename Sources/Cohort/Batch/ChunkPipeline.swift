/// The streaming of a batch run, for any per-chunk work: the calling thread reads chunks
/// of records, a pool of worker threads processes them as soon as they are read, and the
/// results come back to the calling thread in input order as soon as the oldest is done.
///
/// `cohort batch` processes a chunk into its output lines and summary; `cohort diff`
/// evaluates two rulesets over the same chunk. Memory is bounded by the chunks in flight:
/// at most `3 × jobs`, each with its result.
package enum ChunkPipeline {
    /// How a pipeline run ended.
    package enum Ending: Sendable, Equatable {
        /// Every chunk was read, processed and consumed.
        case completed
        /// `consume` asked to stop; chunks after that one were dropped unprocessed or unconsumed.
        case stopped
        /// The input could not be read to its end; chunks not yet consumed were dropped.
        case inputFailed(ChunkReadError)
    }

    /// Runs `process` over every chunk of `reader` on `jobs` threads, and hands the results
    /// to `consume` on this thread in input order, with the bytes of input read so far.
    /// `consume` returns false to stop the run.
    package static func run<Result: Sendable>(
        _ reader: consuming ChunkReader, jobs: Int,
        process: @escaping @Sendable (RecordChunk) -> Result,
        consume: (_ result: Result, _ bytesRead: Int) -> Bool
    ) -> Ending {
        let workers = OrderedWorkers<RecordChunk, Result>(count: jobs, work: process)
        defer { workers.close() }
        let maxInFlight = 3 * max(jobs, 1)
        while true {
            let chunk: RecordChunk?
            do throws(ChunkReadError) {
                chunk = try reader.next()
            } catch {
                return .inputFailed(error)
            }
            guard let chunk else { break }
            workers.submit(chunk)
            // Consume what is done; wait for the oldest chunk only when too many are in flight.
            while let result = workers.next(wait: workers.inFlight >= maxInFlight) {
                if !consume(result, reader.bytesRead) { return .stopped }
            }
        }
        while let result = workers.next(wait: true) {
            if !consume(result, reader.bytesRead) { return .stopped }
        }
        return .completed
    }
}
