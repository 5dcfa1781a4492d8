import Foundation
import XCTest

/// Runs the built `prio-lua` binary and checks stdout, stderr and exit status.
final class CLITests: XCTestCase {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The package root: this file is `Tests/CLITests/CLITests.swift`.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["PRIO_LUA_BINARY"] { return URL(fileURLWithPath: path) }
        // Tests run from the build products directory, beside the binary.
        return Bundle.main.bundleURL.appendingPathComponent("prio-lua")
    }

    static func run(_ arguments: [String], stdin: String? = nil, in directory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Writes `source` to a fresh temporary directory and returns it with the file name.
    static func script(_ source: String, name: String = "jobs.lua") throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("prio-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try source.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        return directory
    }

    func run(_ arguments: [String], stdin: String? = nil, in directory: URL? = nil) throws -> Result {
        try Self.run(arguments, stdin: stdin, in: directory)
    }

    func script(_ source: String, name: String = "jobs.lua") throws -> URL {
        try Self.script(source, name: name)
    }

    func testRunsAScriptAndPassesArguments() throws {
        let dir = try script("print(arg[0], arg[1], arg[2], ...)\nsubmit(1, function() print('job ran') end)\n")
        let result = try run(["jobs.lua", "one", "-j"], in: dir)
        XCTAssertEqual(result.stdout, "jobs.lua\tone\t-j\tone\t-j\njob ran\n")
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(result.status, 0)
    }

    func testReadsTheScriptFromStandardInput() throws {
        let result = try run(["-"], stdin: "submit(2, function() print('from stdin') end)\n")
        XCTAssertEqual(result.stdout, "from stdin\n")
        XCTAssertEqual(result.status, 0)
    }

    func testConcurrencyFlagLetsSleepingJobsOverlap() throws {
        let dir = try script(
            """
            for i = 1, 3 do submit(1, function() print('start ' .. i); sleep(0.05); print('end ' .. i) end) end
            """)
        let result = try run(["-j", "3", "--virtual-time", "jobs.lua"], in: dir)
        XCTAssertEqual(result.stdout, "start 1\nstart 2\nstart 3\nend 1\nend 2\nend 3\n")
        let serial = try run(["--concurrency", "1", "--virtual-time", "jobs.lua"], in: dir)
        XCTAssertEqual(serial.stdout, "start 1\nend 1\nstart 2\nend 2\nstart 3\nend 3\n")
    }

    func testUnobservedJobFailureExitsOneAndNamesTheJob() throws {
        let dir = try script(
            "submit(5, function() error('boom') end, {name = 'fetch'})\nsubmit(6, function() print('others go on') end)\n"
        )
        let result = try run(["jobs.lua"], in: dir)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "others go on\n")
        XCTAssertTrue(
            result.stderr.hasPrefix(
                "prio-lua: job 'fetch' (#1, priority 5) failed: jobs.lua:1: boom\nstack traceback:\n"),
            result.stderr)
    }

    func testMainChunkErrorExitsTwoAndDropsQueuedJobs() throws {
        let dir = try script("submit(1, function() print('never') end)\nerror('bad main')\n")
        let result = try run(["jobs.lua"], in: dir)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.hasPrefix("prio-lua: jobs.lua:2: bad main\n"), result.stderr)
    }

    func testSyntaxErrorNamesFileAndLine() throws {
        let dir = try script("print('ok')\nlocal = 3\n")
        let result = try run(["jobs.lua"], in: dir)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "prio-lua: jobs.lua:2: <name> expected near '='\n")
    }

    func testMissingScriptExitsTwo() throws {
        let result = try run(["/nonexistent/nothere.lua"])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "prio-lua: cannot open /nonexistent/nothere.lua: No such file or directory\n")
    }

    func testBadCommandLinesExit64() throws {
        for arguments in [
            ["-j", "0", "x.lua"], ["-j", "x", "x.lua"], ["-w", "0", "x.lua"], ["-w", "abc", "x.lua"],
            ["--no-such-flag", "x.lua"], [],
        ] {
            let result = try run(arguments)
            XCTAssertEqual(result.status, 64, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("prio-lua: "), "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stdout, "")
        }
        XCTAssertTrue(try run(["-j", "0", "x.lua"]).stderr.contains("--concurrency must be an integer >= 1 (got 0)"))
    }

    /// Each bad command line says what is wrong with it: the allowed range
    /// for a negative value, the unknown option when no script follows, and
    /// the fix for `--stats json`.
    func testBadCommandLinesNameTheProblem() throws {
        let cases: [([String], String)] = [
            (["-j", "-1", "x.lua"], "prio-lua: --concurrency must be an integer >= 1 (got -1)"),
            (["--concurrency", "-3", "x.lua"], "prio-lua: --concurrency must be an integer >= 1 (got -3)"),
            (["-w", "0", "x.lua"], "prio-lua: --workers must be an integer >= 1 (got 0)"),
            (["--workers", "-2", "x.lua"], "prio-lua: --workers must be an integer >= 1 (got -2)"),
            (["--slice", "-1", "x.lua"], "prio-lua: --slice must be a number of milliseconds >= 0 (got -1)"),
            (["--slice=-2.5", "x.lua"], "prio-lua: --slice must be a number of milliseconds >= 0 (got -2.5)"),
            (["-v"], "prio-lua: Unknown option '-v'"),
            (
                ["--stats", "json", "x.lua"],
                "prio-lua: --stats takes its format after '=': write --stats=json (a bare --stats prints text)"
            ),
        ]
        for (arguments, message) in cases {
            let result = try run(arguments)
            XCTAssertEqual(result.status, 64, "\(arguments)")
            XCTAssertEqual(result.stderr.split(separator: "\n").first.map(String.init), message, "\(arguments)")
        }
        // After the script, values like -1 are the script's own arguments.
        let directory = try script("print(...)")
        XCTAssertEqual(try run(["jobs.lua", "-j", "-1"], in: directory).stdout, "-j\t-1\n")
    }

    /// The completions the README documents come out of the binary.
    func testShellCompletionScripts() throws {
        for shell in ["bash", "zsh", "fish"] {
            let result = try run(["--generate-completion-script", shell])
            XCTAssertEqual(result.status, 0, shell)
            XCTAssertTrue(result.stdout.contains("prio-lua"), shell)
            XCTAssertTrue(result.stdout.contains("concurrency"), shell)
        }
    }

    /// The docs are the contract users read: they stand alone, naming no
    /// file that is not in the repository.
    func testTheDocsNameNoContractOutsideTheRepository() throws {
        for name in ["docs/lua-api.md", "docs/policies.md", "docs/embedding.md", "README.md"] {
            let text = try String(contentsOf: Self.packageRoot.appendingPathComponent(name), encoding: .utf8)
            XCTAssertFalse(text.contains("SPEC.md"), "\(name) refers to SPEC.md")
        }
    }

    func testHelpShowsStatsWithItsOptionalValue() throws {
        let help = try run(["--help"]).stdout
        XCTAssertTrue(help.contains("--stats[=json]"), help)
        XCTAssertFalse(help.contains("--stats <"), help)
    }

    func testVersionAndHelp() throws {
        let version = try run(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.stdout.hasPrefix("prio-lua "), version.stdout)
        let help = try run(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("prio-lua [options] SCRIPT [ARGS...]"), help.stdout)
        XCTAssertTrue(help.stdout.contains("--concurrency"), help.stdout)
        XCTAssertTrue(help.stdout.contains("Example"), help.stdout)
    }
}
