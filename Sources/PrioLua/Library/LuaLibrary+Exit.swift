import CLua
import CLuaShim
import Foundation

/// `os.exit([code [, close]])`, as Lua's: with `close`, the state is closed
/// first, as `lua` closes it: the main thread's pending `<close>` variables
/// run (the main chunk is the main thread to scripts), then every
/// finalizer, under the memory limit and within a time bound.
extension LuaScheduler {
    func luaOsExit(_ lua: LuaState) -> HostResult {
        let status: Int32
        if lua.type(at: 1) == LUA_TBOOLEAN {
            status = lua.boolean(at: 1) ? EXIT_SUCCESS : EXIT_FAILURE
        } else if lua.isNoneOrNil(1) {
            status = EXIT_SUCCESS
        } else if let code = lua.integer(at: 1) {
            status = Int32(truncatingIfNeeded: code)
        } else {
            let problem =
                lua.type(at: 1) == LUA_TNUMBER
                ? "number has no integer representation" : "number expected, got \(describeArgument(lua, 1))"
            return argumentError(lua, 1, "exit", problem)
        }
        if lua.boolean(at: 2) {
            if let main = thread(of: .main) {
                _ = prio_enforce_memory_limit(self.lua.pointer, 1)
                _ = lua_resetthread(main.pointer)  // never returns to it: the process exits
            }
            closeState(timeLimit: Self.closingTimeLimit, exitStatus: status)
        }
        fflush(nil)
        exit(status)
    }
}
