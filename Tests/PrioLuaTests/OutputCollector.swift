import Foundation
import PrioLua
import XCTest

/// Collects what a run prints, from whichever thread prints it.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""

    func append(_ piece: String) {
        lock.lock()
        text += piece
        lock.unlock()
    }

    var contents: String {
        lock.lock()
        defer { lock.unlock() }
        return text
    }
}
