import XCTest

/// The harness's own time bound: a run that spins is killed once it has
/// used its CPU seconds, and one blocked without using the CPU by the
/// wall-clock backstop. Every fixture and hostile script relies on both to
/// turn a hang into a failure instead of a stuck suite.
final class BoundedRunTests: XCTestCase {
    func testASpinningRunIsKilledAtItsCPUBound() throws {
        let directory = try CLITests.script("while true do end\n")
        let run = try BoundedRun(arguments: ["jobs.lua"], in: directory, limit: 0.5)
        XCTAssertTrue(run.killed)
        XCTAssertFalse(run.signaled, "the watchdog's SIGKILL is not a crash")
        XCTAssertLessThan(run.seconds, 0.5 * Watchdog.wallFactor)
    }

    /// Blocked in `open` of a FIFO that has no writer: no CPU time, and no
    /// child process (Foundation's Process waits for a grandchild that
    /// inherited its descriptors, as one from `os.execute` would).
    func testABlockedRunIsKilledByTheWallClockBackstop() throws {
        let directory = try CLITests.script("io.open('fifo', 'r')\n")
        XCTAssertEqual(mkfifo(directory.appendingPathComponent("fifo").path, 0o600), 0)
        let run = try BoundedRun(arguments: ["jobs.lua"], in: directory, limit: 0.4)
        XCTAssertTrue(run.killed)
        XCTAssertGreaterThanOrEqual(run.seconds, 0.4 * Watchdog.wallFactor)
        XCTAssertLessThan(run.seconds, 20)
    }

    func testARunThatEndsInTimeIsNotKilled() throws {
        let directory = try CLITests.script("print('done')\n")
        let run = try BoundedRun(arguments: ["jobs.lua"], in: directory, limit: 5)
        XCTAssertFalse(run.killed)
        XCTAssertEqual(run.stdout, "done\n")
        XCTAssertEqual(run.status, 0)
    }
}
