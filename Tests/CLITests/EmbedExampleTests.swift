import Foundation
import XCTest

/// The example host (Sources/embed-example) runs and reports.
final class EmbedExampleTests: XCTestCase {
    func testTheExampleHostRunsItsScript() throws {
        let directory = try CLITests.script("hello", name: "hello.txt")
        let path = directory.appendingPathComponent("hello.txt").path
        let process = Process()
        process.executableURL = CLITests.binary.deletingLastPathComponent().appendingPathComponent("embed-example")
        process.arguments = [path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(
            String(decoding: data, as: UTF8.self),
            """
            fetch 1\thttps://example.test/a -> 200 OK (22 bytes)
            fetch 2\thttps://example.test/bb -> 200 OK (23 bytes)
            sum \(path)\t\(path) a430d84680aabd0b
            missing:\tfalse\tchecksum: cannot read /nonexistent/file
            report: exit 0, done 3, failed 1

            """)
        XCTAssertEqual(process.terminationStatus, 0)
    }
}
