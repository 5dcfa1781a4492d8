import XCTest

/// Runs every Lua fixture and compares its whole output, diagnostics and
/// exit status with the expected files beside it.
final class FixtureTests: XCTestCase {
    func testEveryFixtureProducesItsExpectedOutput() throws {
        let names = try Fixture.all()
        XCTAssertFalse(names.isEmpty, "no fixtures found")
        for name in names {
            let fixture = try Fixture(named: name)
            let result = try fixture.run()
            XCTAssertEqual(result.output, fixture.expectedOutput, "\(name).lua: standard output differs")
            XCTAssertEqual(result.diagnostics, fixture.expectedDiagnostics, "\(name).lua: diagnostics differ")
            XCTAssertEqual(result.exit, fixture.expectedExit, "\(name).lua: exit status differs")
        }
    }
}
