/// What the core offers when jobs run in other Lua states (SPEC §8): the
/// runtime starts jobs there between its own steps, and such a job stays
/// `.running` until its state reports how it stopped (several may be).
extension Scheduler {
    /// For a Lua state other than the one the run loop drives (SPEC §8):
    /// fills free slots, then starts the best ready job if it has not
    /// started yet and `accept` takes it (a task job). Unlike `nextStep`, it
    /// works while the main chunk is ready too: a busy main chunk must not
    /// keep other states idle.
    public mutating func startBestReady(now: Double, accepting accept: (JobID) -> Bool) -> JobID? {
        defer { checkInvariantsAfterMutation() }
        lastNow = now
        fillSlots()
        // The main chunk, ready first, is looked past and put back.
        let mainWasReady = ready.min?.job == 0 && ready.popMin(positions: &records) != nil
        defer { if mainWasReady { ready.insert(0, key: key(of: 0), positions: &records) } }
        guard let best = ready.min, !records[Int(best.job)].hasStarted, accept(JobID(Int(best.job))) else {
            return nil
        }
        _ = ready.popMin(positions: &records)
        _ = run(best.job, now: now)
        return JobID(Int(best.job))
    }
}
