import CLua
import CLuaShim
import Foundation
import PrioCore
import Synchronization

/// A list the run loop appends to and worker threads read from an index on:
/// the task modules a run loaded (each worker loads the ones it has not yet
/// before it starts a job), the Swift host functions a host registered.
final class SharedList<Element: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var elements: [Element] = []

    func append(_ element: Element) {
        lock.withLock { elements.append(element) }
    }

    /// The elements from `index` on.
    func elements(from index: Int) -> [Element] {
        lock.withLock { index < elements.count ? Array(elements[index...]) : [] }
    }
}

/// A task module: its name and the path the script gave.
typealias SharedTaskModules = SharedList<(name: String, path: String)>
/// A registered host function: its Lua name and host function id.
typealias SharedHostFunctions = SharedList<(name: String, id: Int32)>

/// How every worker state is set up: the run's own choices.
struct WorkerSetup: Sendable {
    let sandbox: Bool
    let memoryLimit: Int?
    let sliceMilliseconds: Double
    let virtualTime: Bool
    let modules: SharedTaskModules
    let hostFunctions: SharedHostFunctions
    /// Where reports go: the run loop's inbox.
    let inbox: RunInbox
    /// The main state, whose executing job a report brings to a preemption
    /// point so that the run loop sees it at once (nil under virtual time,
    /// where jobs give way only where they suspend).
    let mainState: MainStateHandle?
}

/// The main `lua_State`, for `prio_preempt_now` only (which is safe from any thread).
struct MainStateHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// One worker state (SPEC §8): a `lua_State` of its own on a thread of its
/// own, running the task jobs the run loop hands it. It decides nothing:
/// every library call its jobs make is run by the main state on their
/// behalf (`WorkerReport.call`), so the one scheduler keeps one order.
final class Worker: @unchecked Sendable {
    /// The state's number as `--trace`, `--events` and `--stats` name it:
    /// the main state is 1, workers 2...N.
    let number: Int
    let setup: WorkerSetup
    private let condition = NSCondition()
    private var mailbox: [WorkerCommand] = []
    /// Commands or a reply waiting: read without the lock by the spin in `take`.
    private let hasMail = Atomic<Bool>(false)
    private var reply: CallReply?
    /// The run is over: no call will be answered.
    private var shuttingDown = false
    private let finished = DispatchSemaphore(value: 0)
    /// The job whose coroutine is executing (0: none); the run loop reads
    /// it to stop a job it cancels.
    private let executingJob = AtomicJob()
    /// Set by the run loop to stop the job executing now (a cancel); the
    /// worker closes that job's coroutine when it stops.
    let stopJob = AtomicJob()
    /// Set by the run loop while a ready job could take this state's turn:
    /// only then does a job stopped at a slice's end here give way (else it
    /// goes on at once, with no round trip to the run loop).
    let giveWay = AtomicJob()
    /// The Lua side, touched by the worker thread only.
    var lua: LuaState? {
        didSet { stateLock.withLock { openState = lua?.pointer } }
    }
    /// The state for the run loop's thread, which only arms its slicer
    /// (`prio_preempt_now`, `prio_interrupt`: safe from any thread): nil
    /// before it is made and from just before it is closed, under the lock.
    private let stateLock = NSLock()
    private var openState: OpaquePointer?

    /// Runs `body` with the state while it is open (the lock keeps the
    /// worker from closing it meanwhile).
    private func withOpenState(_ body: (OpaquePointer) -> Void) {
        stateLock.withLock { if let openState { body(openState) } }
    }
    var refs = RegistryRefs()
    var modulesLoaded = 0
    var hostFunctionsInstalled = 0
    var moduleFailure: String?
    var suspendedByCall = false
    var taskNames: [Int: String] = [:]
    /// Closure jobs submitted here (their bodies stay here until `forget`).
    var closureJobs: Set<Int> = []
    /// The job whose coroutine this thread is executing (0: none).
    var currentJob = 0
    private let busyLock = NSLock()
    private var busyTotal = 0.0
    /// Seconds this state spent running jobs' Lua code.
    var busySeconds: Double { busyLock.withLock { busyTotal } }
    func addBusy(_ seconds: Double) { busyLock.withLock { busyTotal += seconds } }

    init(number: Int, setup: WorkerSetup) {
        self.number = number
        self.setup = setup
    }

    func startThread() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "prio-lua worker \(number)"
        thread.stackSize = 8 << 20  // deep Lua recursion needs the C stack a main thread has
        thread.start()
    }

    // MARK: The run loop's side

    /// Queues a command. A job computing here meanwhile is brought to a
    /// preemption point, where it gives way to the mail (`drive`): a close
    /// the run loop waits for must not wait for a loop that never ends.
    func send(_ command: WorkerCommand) {
        condition.lock()
        mailbox.append(command)
        hasMail.store(true, ordering: .releasing)
        condition.signal()
        condition.unlock()
        if executingJob.load() != 0 { withOpenState { prio_preempt_now($0) } }
    }

    /// Whether commands or a reply wait (read without the lock).
    var mailWaiting: Bool { hasMail.load(ordering: .acquiring) }

    func answer(_ answer: CallReply) {
        condition.lock()
        reply = answer
        hasMail.store(true, ordering: .releasing)
        condition.signal()
        condition.unlock()
    }

    /// Stops `job` if it is executing here now: it stops at its next
    /// preemption point (or its pending call fails), and its coroutine is
    /// closed. Returns whether it was executing.
    func stopIfExecuting(_ job: Int) -> Bool {
        stopJob.store(job)
        guard executingJob.load() == job else { return false }
        withOpenState { prio_interrupt($0, 2) }
        return true
    }

    /// Ends the thread: a job executing here is stopped (its coroutine
    /// closed), a call waiting for the main state fails, and the state is
    /// closed. Waits at most `seconds` (a job stuck in C cannot be stopped).
    func shutdown(waiting seconds: Double) {
        condition.lock()
        shuttingDown = true
        condition.signal()
        condition.unlock()
        let executing = executingJob.load()
        if executing != 0 { _ = stopIfExecuting(executing) }
        send(.shutdown)
        _ = finished.wait(timeout: .now() + seconds)
    }

    // MARK: The worker thread

    private func run() {
        let created = makeState()
        while true {
            switch take() {
            case .start(let job, let task, let args, let timeoutAt):
                guard created else {
                    post(.cannotRun(job: job, message: "worker state \(number) could not be created"))
                    continue
                }
                start(job, task: task, args: args, timeoutAt: timeoutAt)
            case .resume(let job, let values, let timeoutAt):
                resume(job, values: values, timeoutAt: timeoutAt)
            case .close(let job):
                closeCoroutine(of: job)
                post(.closed(job: job))
            case .forget(let job):
                forgetClosure(job)
            case .shutdown:
                if let lua {
                    stateLock.withLock { openState = nil }
                    prio_closestate(lua.pointer)
                }
                lua = nil
                return
            }
        }
    }

    private func take() -> WorkerCommand {
        spinForMail()
        condition.lock()
        defer { condition.unlock() }
        while mailbox.isEmpty { condition.wait() }
        let command = mailbox.removeFirst()
        if mailbox.isEmpty && reply == nil { hasMail.store(false, ordering: .relaxed) }
        return command
    }

    /// The next command or reply often comes within microseconds: a short
    /// spin saves the two context switches of sleeping on the condition.
    private func spinForMail() {
        for _ in 0..<RunInbox.spins where !hasMail.load(ordering: .acquiring) { prio_cpu_relax() }
    }

    /// Waits for the answer to a call, closing coroutines meanwhile when the
    /// run loop asks (it may wait for that while this job waits for it).
    func waitForReply() -> CallReply {
        spinForMail()
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let answer = reply {
                reply = nil
                if mailbox.isEmpty { hasMail.store(false, ordering: .relaxed) }
                return answer
            }
            if shuttingDown { return .failure(TransferBytes.string("the run is over"), withPosition: false) }
            if let index = mailbox.firstIndex(where: { if case .close = $0 { return true } else { return false } }),
                case .close(let job) = mailbox.remove(at: index)
            {
                condition.unlock()
                closeCoroutine(of: job)
                post(.closed(job: job))
                condition.lock()
                continue
            }
            condition.wait()
        }
    }

    func post(_ report: WorkerReport) {
        setup.inbox.post(worker: number, report)
        if let main = setup.mainState { prio_preempt_now(main.pointer) }
    }

    func setExecuting(_ job: Int) {
        currentJob = job
        executingJob.store(job)
    }
}

/// A job id shared between the run loop and a worker thread.
final class AtomicJob: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func store(_ job: Int) { lock.withLock { value = job } }
    func load() -> Int { lock.withLock { value } }
}
