import XCTest

@testable import PrioCore

/// Whole runs of random events (submit, yield, sleep, block, await, retry,
/// cancel, set_priority, re-evaluation, limit, timeouts, deadlines, with and
/// without preemption and fair sharing), driven the way the runtime drives the scheduler, with
/// the scheduler's global properties checked after every step. Each seed is
/// one run; a failure names the seed to replay.
final class SchedulerRandomRunTests: XCTestCase {
    func testRandomRunsKeepTheSchedulersProperties() {
        for seed in 0..<UInt64(300) {
            var run = RandomRun(seed: seed)
            if let broken = run.play() {
                return XCTFail("seed \(seed): \(broken)")
            }
        }
    }

    /// Orders are 32 bits and renumbered before they run out: with the
    /// ceiling lowered so that runs renumber every few dozen orders, every
    /// run takes the very same steps as with the real ceiling.
    func testRenumberingOrdersChangesNoStep() {
        for seed in 0..<UInt64(300) {
            var plain = RandomRun(seed: seed)
            var renumbering = RandomRun(seed: seed, orderCeiling: 64)
            _ = plain.play()
            _ = renumbering.play()
            XCTAssertGreaterThan(plain.steps.count, 0)
            guard plain.steps == renumbering.steps else {
                return XCTFail("seed \(seed): the runs part at step \(firstDifference(plain.steps, renumbering.steps))")
            }
        }
    }

    private func firstDifference(_ a: [Scheduler.Step], _ b: [Scheduler.Step]) -> Int {
        a.indices.first { $0 >= b.count || a[$0] != b[$0] } ?? a.count
    }
}

private struct RandomRun: ~Copyable {
    var rng: SplitMix64
    var s: Scheduler
    var now = 0.0
    var submitted = 0
    let concurrency: Int
    var fair = false
    let priorities: [Double] = [0, 1, 2]
    /// Every step the run took, in order.
    var steps: [Scheduler.Step] = []

    init(seed: UInt64, orderCeiling: Int32? = nil) {
        rng = SplitMix64(seed: seed)
        concurrency = Int.random(in: 1...4, using: &rng)
        s = Scheduler(concurrency: concurrency)
        if let orderCeiling { s.orderCeiling = orderCeiling }
        s.preemptionEnabled = Bool.random(using: &rng)
        if Int.random(in: 0..<3, using: &rng) == 0 { toggleFairShare() }
    }

    mutating func toggleFairShare() {
        fair.toggle()
        s.setFairShare(weights: fair ? [-1: 1, 0: 2, 1: 0.5] : nil)
    }

    var jobs: Range<Int> { 1..<s.jobCount }

    mutating func randomJob() -> JobID? {
        jobs.isEmpty ? nil : JobID(Int.random(in: jobs, using: &rng))
    }

    mutating func submit() {
        let group: Int? = Bool.random(using: &rng) ? Int.random(in: 0...1, using: &rng) : nil
        let delay = Int.random(in: 0..<5, using: &rng) == 0 ? 1.0 : 0
        let timeout = Int.random(in: 0..<5, using: &rng) == 0 ? 3.0 : .infinity
        let deadline = Int.random(in: 0..<5, using: &rng) == 0 ? now + 2 : .nan
        let priority = priorities.randomElement(using: &rng)!
        _ = s.submit(priority: priority, group: group, delay: delay, timeout: timeout, deadline: deadline, now: now)
        submitted += 1
    }

    /// Plays one run; returns what broke, or nil.
    mutating func play() -> String? {
        guard s.nextStep(now: 0) == .start(.main) else { return "the main chunk did not go first" }
        for _ in 0..<Int.random(in: 1...6, using: &rng) { submit() }
        if Bool.random(using: &rng) { s.setLimit(group: 0, to: Int.random(in: 1...2, using: &rng)) }
        if Bool.random(using: &rng) { s.finished(.main, .done, now: 0) } else { s.yielded(.main) }

        for _ in 0..<400 {
            let step = s.nextStep(now: now)
            steps.append(step)
            s.assertInvariants()
            if let broken = brokenProperty(after: step) { return "\(broken) after \(step)" }
            switch step {
            case .finished: return nil
            case .idle: s.unblocked(blockedJobs().randomElement(using: &rng)!)
            case .waitUntil(let due):
                if let job = blockedJobs().randomElement(using: &rng), Bool.random(using: &rng) {
                    s.unblocked(job)
                } else {
                    now = due
                }
            case .timedOut(let job): stopTimedOut(job)
            case .deadlinePassed, .ruleDue, .intervalDue: break
            case .start(let job), .resume(let job):
                if job.isMain { actAsMain() } else { act(job) }
            }
        }
        return nil  // long retry chains may outlast the step budget
    }

    func blockedJobs() -> [JobID] { jobs.filter { s[JobID($0)].state == .blocked }.map(JobID.init) }

    mutating func stopTimedOut(_ job: JobID) {
        if Bool.random(using: &rng) {
            s.retry(job, after: 0.5, now: now)
        } else {
            s.finished(job, .failed, now: now)
        }
    }

    mutating func actAsMain() {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0:
            submit()
            s.yielded(.main)
        case 1: s.sleeping(.main, until: now + 1)
        case 2, 3:
            let targets = jobs.shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng)).map(JobID.init)
            let mode: Scheduler.AwaitMode = Bool.random(using: &rng) ? .all : .any
            let until = Bool.random(using: &rng) ? now + 1.5 : nil
            if s.await(.main, on: targets + targets.prefix(1), mode: mode, until: until) != .suspended {
                s.yielded(.main)
            }
        default: s.finished(.main, .done, now: now)
        }
    }

    mutating func act(_ job: JobID) {
        if submitted < 30, Int.random(in: 0..<4, using: &rng) == 0 { submit() }
        if Int.random(in: 0..<8, using: &rng) == 0, let other = randomJob() {
            s.setPriority(other, base: priorities.randomElement(using: &rng)!)
        }
        if Int.random(in: 0..<20, using: &rng) == 0 {
            // A policy re-evaluating every unfinished job, as `reprioritize()` does.
            let unfinished = jobs.filter { !s[JobID($0)].state.isFinished }.map(JobID.init)
            s.setPolicyPriorities(unfinished.map { ($0, priorities.randomElement(using: &rng)!) })
        }
        if Int.random(in: 0..<40, using: &rng) == 0 { toggleFairShare() }
        if Int.random(in: 0..<15, using: &rng) == 0 {
            s.setLimit(group: Int.random(in: 0...1, using: &rng), to: Int.random(in: 1...2, using: &rng))
        }
        if Int.random(in: 0..<12, using: &rng) == 0, let victim = randomJob() {
            _ = s.cancel(victim, now: now)
            if victim == job { return }
        }
        switch Int.random(in: 0..<7, using: &rng) {
        case 0: s.yielded(job)
        case 1: s.sleeping(job, until: now + Double(Int.random(in: 0...2, using: &rng)))
        case 2: s.blocked(job)
        case 3:
            let candidates = jobs.filter { !s[JobID($0)].state.isFinished && $0 != job.value }
            let targets = candidates.shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng)).map(JobID.init)
            let mode: Scheduler.AwaitMode = Bool.random(using: &rng) ? .all : .any
            let until = Bool.random(using: &rng) ? now + 2 : nil
            if s.await(job, on: targets, mode: mode, until: until) != .suspended { s.finished(job, .done, now: now) }
        case 4: s.retry(job, after: Double(Int.random(in: 0...1, using: &rng)), now: now)
        default: s.finished(job, Bool.random(using: &rng) ? .done : .failed, now: now)
        }
    }

    // MARK: Properties

    func key(_ index: Int) -> QueueKey {
        QueueKey(priority: s[JobID(index)].effectivePriority, order: s[JobID(index)].order)
    }

    func brokenProperty(after step: Scheduler.Step) -> String? {
        switch step {
        case .finished:
            if !s[.main].state.isFinished || s.unfinishedCount > 0 { return "finished with work left" }
        case .idle:
            if blockedJobs().isEmpty { return "idle with no blocked job" }
        case .waitUntil(let due):
            if due <= now { return "waiting for a time already past" }
        case .timedOut(let job), .deadlinePassed(let job):
            // Slots are filled on the next step; only the event is checked.
            return s[job].state.isFinished ? "event for a finished job" : nil
        case .ruleDue, .intervalDue:
            return "a timer nobody set"
        case .start(let job), .resume(let job):
            if !job.isMain, !s[job].holdsSlot { return "\(job) runs without a slot" }
            if let better = jobs.first(where: { s[JobID($0)].state == .ready && key($0) < key(job.value) }) {
                return "\(job) ran ahead of better ready job #\(better)"
            }
        }
        return brokenSlotFilling() ?? brokenInheritance()
    }

    /// A free slot never stays empty while a job that may take it waits;
    /// with preemption (and no fair sharing, which picks by share instead),
    /// no queued job is strictly better than a slot holder.
    func brokenSlotFilling() -> String? {
        // While the main chunk runs, slots wait: it may still submit better jobs.
        guard s[JobID(0)].state != .running else { return nil }
        guard s.slotsHeld < concurrency else {
            guard s.preemptionEnabled, !fair else { return nil }
            let worst = jobs.filter { s[JobID($0)].holdsSlot }.map { s[JobID($0)].effectivePriority }.max()!
            if let better = jobs.first(where: {
                s[JobID($0)].state == .queued && s[JobID($0)].effectivePriority < worst
            }) {
                return "job #\(better) queued while a worse job holds a slot"
            }
            return nil
        }
        if let queued = jobs.first(where: { s[JobID($0)].state == .queued }) {
            return "job #\(queued) queued beside a free slot"
        }
        for parked in jobs where s[JobID(parked)].state == .parked {
            let group = s[JobID(parked)].group
            let claimed = jobs.filter {
                s[JobID($0)].group == group && (s[JobID($0)].holdsSlot || s[JobID($0)].state == .queued)
            }.count
            if claimed < s.limit(group: Int(group)) ?? Int.max {
                return "job #\(parked) parked while its group has room"
            }
        }
        return nil
    }

    /// Every unfinished job's effective priority is its policy priority,
    /// lowered to the effective priority of each job awaiting it.
    func brokenInheritance() -> String? {
        var expected = (0..<s.jobCount).map { s[JobID($0)].policyPriority }
        for waiter in jobs where s[JobID(waiter)].state == .awaiting {
            for target in s.awaitTargets(of: JobID(waiter)) {
                expected[target.value] = min(expected[target.value], s[JobID(waiter)].effectivePriority)
            }
        }
        for job in jobs where !s[JobID(job)].state.isFinished && s[JobID(job)].effectivePriority != expected[job] {
            return "job #\(job) has effective priority \(s[JobID(job)].effectivePriority), expected \(expected[job])"
        }
        return nil
    }
}
