import Dispatch
import Foundation
import PrioLua

/// SIGINT and SIGTERM end the run promptly, and take every subprocess down
/// with it: `exec` children run in process groups of their own, so the
/// terminal's Ctrl-C does not reach them and a plain exit would orphan
/// them. The handler runs on a dispatch queue (the Lua thread may be busy
/// in a job for as long as it likes), terminates and reaps every child's
/// group, then exits with 128 + the signal, as a shell reports it.
enum SignalExit {
    /// Kept alive for the process's lifetime.
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func install() {
        let queue = DispatchQueue(label: "prio-lua.signals")
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)  // delivered to the source instead
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { exitOnSignal(number) }
            source.resume()
            sources.append(source)
        }
    }

    private static func exitOnSignal(_ number: Int32) -> Never {
        LiveProcessGroups.shared.terminateAll()
        fflush(nil)  // every stream
        _exit(128 + number)
    }
}
