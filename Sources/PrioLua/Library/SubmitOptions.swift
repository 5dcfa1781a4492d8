import CLua
import CLuaShim

/// The `opts` table of `submit`, validated field by field. Lua values that
/// stay in Lua (`tags`, `data`) are remembered by stack index.
struct SubmitOptions {
    var name: String?
    var delay: Double?
    var deadline: Double?
    var timeout: Double?
    var retries: Int?
    var backoff: Double?
    var group: String?
    var hasTags = false
    var tagsIndex: Int32 = 0
    var hasData = false
    var dataIndex: Int32 = 0
    var hasArgs = false
    var argsIndex: Int32 = 0

    static let fields = [
        "name", "tags", "data", "args", "delay", "deadline", "timeout", "retries", "backoff", "group",
    ]

    /// Reads the table at `index`; returns a description of the first problem.
    /// Pushes `tags` and `data` values so they stay reachable by index.
    mutating func read(from lua: LuaState, at index: Int32) -> String? {
        let table = lua_absindex(lua.pointer, index)
        lua.pushNil()
        while lua_next(lua.pointer, table) != 0 {
            guard let key = lua.string(at: -2) else {
                let typeName = lua.typeName(at: -2)
                lua.pop(2)
                return "unknown option (a \(typeName) key)"
            }
            if let problem = readField(key, lua) {
                lua.pop(2)
                return problem
            }
            lua.pop()
        }
        return nil
    }

    private mutating func readField(_ key: String, _ lua: LuaState) -> String? {
        switch key {
        case "name":
            guard let value = lua.string(at: -1) else { return mistyped(key, "a string", lua) }
            name = value
        case "tags":
            guard lua.type(at: -1) == LUA_TTABLE else { return mistyped(key, "an array of strings", lua) }
            let count = lua_rawlen(lua.pointer, -1)
            var position: lua_Integer = 1
            while position <= count {
                let isString = lua_rawgeti(lua.pointer, -1, position) == LUA_TSTRING
                lua.pop()
                if !isString { return "option 'tags' must be an array of strings (item \(position) is not)" }
                position += 1
            }
            hasTags = true
            tagsIndex = lua.top - 1  // where keepValue leaves the copy
            return keepValue(lua)
        case "data":
            hasData = true
            dataIndex = lua.top - 1
            return keepValue(lua)
        case "args":
            hasArgs = true
            argsIndex = lua.top - 1
            return keepValue(lua)
        case "delay":
            guard let value = seconds(lua) else { return mistyped(key, "a non-negative number", lua) }
            delay = value
        case "deadline":
            guard let value = lua.number(at: -1), value.isFinite || value == .infinity else {
                return mistyped(key, "a number", lua)
            }
            if value.isFinite { deadline = value }  // math.huge: a deadline that never comes is none
        case "timeout":
            guard let value = lua.number(at: -1), value > 0 else { return mistyped(key, "a positive number", lua) }
            timeout = value
        case "retries":
            guard let value = lua.integer(at: -1), value >= 0, value <= 1_000_000 else {
                return mistyped(key, "an integer >= 0", lua)
            }
            retries = Int(value)
        case "backoff":
            guard let value = seconds(lua) else { return mistyped(key, "a non-negative number", lua) }
            backoff = value
        case "group":
            guard let value = lua.string(at: -1) else { return mistyped(key, "a string", lua) }
            group = value
        default:
            return "unknown option '\(key)'"
        }
        return nil
    }

    /// Keeps a copy of the value below the iteration key, so that after this
    /// field's pop the stack reads [..., kept value, key] and `lua_next` goes on.
    private func keepValue(_ lua: LuaState) -> String? {
        lua.pushValue(at: -1)
        prio_insert(lua.pointer, -3)
        return nil
    }

    /// A non-negative number of seconds on top of the stack, or nil. Any
    /// length is legal, `math.huge` included (never, as `sleep(math.huge)`).
    private func seconds(_ lua: LuaState) -> Double? {
        guard let value = lua.number(at: -1), value >= 0, !value.isNaN else { return nil }
        return value
    }

    /// `option 'delay' must be a non-negative number, got -1`: numbers are
    /// shown by value, anything else by type.
    private func mistyped(_ key: String, _ expected: String, _ lua: LuaState) -> String {
        let got = lua.number(at: -1).map(formatNumber) ?? lua.typeName(at: -1)
        return "option '\(key)' must be \(expected), got \(got)"
    }
}
