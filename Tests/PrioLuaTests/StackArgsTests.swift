import CLua
import CLuaShim
import XCTest

/// `job:set_priority` and job fields read their arguments straight from the
/// Lua stack once a probe has checked the layout (CLuaShim `stack_args.c`).
/// Read directly or through the API, every kind of value must read the same.
/// (Every fixture also runs with the probes failed: `PRIO_LUA_SLOW_PATHS`.)
final class StackArgsTests: XCTestCase {
    func testDirectReadsAgreeWithTheAPIForEveryKindOfValue() throws {
        let L = try XCTUnwrap(prio_newstate(nil))
        defer { prio_closestate(L) }
        XCTAssertEqual(prio_openlibs_protected(L), LUA_OK)
        // Whether the probe passes is for the benchmarks (the API path is
        // slower); here, only that both paths read the same.
        prio_probe_stack_args(L)
        let block = try XCTUnwrap(lua_newuserdatauv(L, 16, 0))
        _ = lua_newuserdatauv(L, 16, 1)  // the right size, but with a user value
        _ = lua_newuserdatauv(L, 8, 0)
        lua_pushinteger(L, -42)
        lua_pushnumber(L, 2.5)
        lua_pushstring(L, "7.5")
        lua_pushstring(L, "a name")
        lua_pushstring(L, String(repeating: "long ", count: 20))
        lua_createtable(L, 0, 0)
        lua_pushlightuserdata(L, block)
        lua_pushboolean(L, 1)
        lua_pushnil(L)
        let top = lua_gettop(L)
        let indices = Array(1...(top + 2)) + Array(-top ... -1) + [prio_registryindex()]
        let direct = indices.map { read(L, at: $0) }
        prio_use_api_paths(L)
        let viaAPI = indices.map { read(L, at: $0) }
        XCTAssertEqual(direct, viaAPI)
        guard direct.count > 6 else { return XCTFail("read \(direct.count) values") }
        XCTAssertEqual(direct[0].userdata, UInt(bitPattern: block), "the 16-byte userdata's block")
        XCTAssertEqual(direct[3].number, -42)
        XCTAssertEqual(direct[5].number, 7.5, "a numeric string converts")
        XCTAssertNotEqual(direct[6].string, 0)
        XCTAssertEqual(direct.filter { $0.userdata != 0 }.count, 4, "the two 16-byte userdata, by either end")
    }

    private struct Reading: Equatable {
        var userdata: UInt
        var number: Double?
        var string: UInt
    }

    private func read(_ L: OpaquePointer, at index: Int32) -> Reading {
        var isNumber: Int32 = 0
        let number = prio_arg_number(L, index, &isNumber)
        return Reading(
            userdata: UInt(bitPattern: prio_arg_userdata(L, index, 16)),
            number: isNumber == 0 ? nil : number,
            string: UInt(bitPattern: prio_arg_string(L, index))
        )
    }
}
