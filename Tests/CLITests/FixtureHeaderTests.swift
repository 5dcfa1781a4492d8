import XCTest

/// The fixture header parser refuses what it does not understand, so a
/// fixture can never silently run without the options it names.
final class FixtureHeaderTests: XCTestCase {
    func testAcceptsEveryCommandLineOptionWithValidValues() throws {
        let header = try FixtureHeader(
            parsing:
                "--! options: -j 2 -w 3 --sandbox --slice 1 --memory-limit 8M --virtual-time --stats=json\n"
                + "--! exit: 1\n--! repeat: 4\n")
        XCTAssertEqual(
            header.options,
            [
                "-j", "2", "-w", "3", "--sandbox", "--slice", "1", "--memory-limit", "8M", "--virtual-time",
                "--stats=json",
            ])
        XCTAssertEqual(header.exit, 1)
        XCTAssertEqual(header.repetitions, 4)
    }

    func testRejectsUnknownKeysOptionWordsAndBadValues() {
        let bad = [
            "--! option: -j 2", "--! options: --sandbx", "--! options: -j two", "--! options: -j 0",
            "--! options: -j", "--! exit: one", "--! exit: 256", "--! exit: 1\n--! exit: 2", "--!options: -j 2",
            "--! max-seconds: 0", "--! options: --slice -1", "--! options: -w 0", "--! repeat: 0",
            "--! repeat: many",
        ]
        for text in bad {
            XCTAssertThrowsError(try FixtureHeader(parsing: text + "\nprint(1)\n"), "accepted: \(text)")
        }
    }
}
