import CLuaShim
import XCTest

@testable import PrioLua

/// The C `__index` of job objects answers some fields from the records
/// directly; its codes must be the Swift ones.
final class JobFieldCodeTests: XCTestCase {
    func testCodesAnsweredInCMatchTheSwiftFields() {
        XCTAssertEqual(JobField.id.rawValue, Int(PRIO_FIELD_ID))
        XCTAssertEqual(JobField.priority.rawValue, Int(PRIO_FIELD_PRIORITY))
        XCTAssertEqual(JobField.basePriority.rawValue, Int(PRIO_FIELD_BASE_PRIORITY))
        XCTAssertEqual(JobField.attempt.rawValue, Int(PRIO_FIELD_ATTEMPT))
        XCTAssertEqual(JobField.submittedAt.rawValue, Int(PRIO_FIELD_SUBMITTED_AT))
        XCTAssertEqual(JobField.startedAt.rawValue, Int(PRIO_FIELD_STARTED_AT))
        XCTAssertEqual(JobField.finishedAt.rawValue, Int(PRIO_FIELD_FINISHED_AT))
    }
}
