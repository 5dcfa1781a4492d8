import CLua
import CLuaShim

/// A `lua_State*` (the main state or one coroutine) with the few operations
/// the runtime needs. Every method here uses only Lua API that cannot raise
/// (raw access, pushes, `lua_to*`), so it is safe to call from Swift frames;
/// anything that could raise runs in C under `lua_pcall` (see CLuaShim).
struct LuaState {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    var top: Int32 {
        get { lua_gettop(pointer) }
        nonmutating set { lua_settop(pointer, newValue) }
    }

    func pop(_ count: Int32 = 1) { prio_pop(pointer, count) }

    /// Makes room for `count` more values on this stack (`lua_checkstack`,
    /// which never raises). Every push of a data-dependent number of values
    /// asks first: past the room Lua guarantees (`LUA_MINSTACK`), a push
    /// writes beyond the stack. False when the stack cannot grow that far
    /// (Lua's limit of a million slots, or no memory); then the caller
    /// raises `tooManyValuesMessage` instead.
    func reserve(_ count: Int32) -> Bool { count <= 0 || lua_checkstack(pointer, count) != 0 }

    /// The error raised when `reserve` fails, worded as Lua's own
    /// (`table.unpack`'s "too many results to unpack").
    static func tooManyValuesMessage(_ count: Int32) -> String { "too many results to return (\(count) values)" }
    func type(at index: Int32) -> Int32 { lua_type(pointer, index) }
    func isNoneOrNil(_ index: Int32) -> Bool { prio_isnoneornil(pointer, index) != 0 }
    func typeName(at index: Int32) -> String { String(cString: lua_typename(pointer, lua_type(pointer, index))) }

    func number(at index: Int32) -> Double? {
        var isNumber: Int32 = 0
        let value = lua_tonumberx(pointer, index, &isNumber)
        return isNumber != 0 && lua_type(pointer, index) == LUA_TNUMBER ? value : nil
    }

    func integer(at index: Int32) -> Int64? {
        guard lua_type(pointer, index) == LUA_TNUMBER else { return nil }
        var isInteger: Int32 = 0
        let value = lua_tointegerx(pointer, index, &isInteger)
        return isInteger != 0 ? value : nil
    }

    /// The string at `index` if it is a string (numbers are not converted).
    func string(at index: Int32) -> String? {
        guard lua_type(pointer, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let bytes = lua_tolstring(pointer, index, &length) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self)
    }

    func boolean(at index: Int32) -> Bool { lua_toboolean(pointer, index) != 0 }

    func push(_ value: String) {
        var copy = value
        copy.withUTF8 { buffer in
            _ = buffer.withMemoryRebound(to: CChar.self) { lua_pushlstring(pointer, $0.baseAddress, $0.count) }
        }
    }

    /// Pushes bytes as a Lua string, unchanged (they need not be UTF-8).
    func push(bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(pointer, $0.baseAddress, $0.count) }
        }
    }

    func push(_ value: Bool) { lua_pushboolean(pointer, value ? 1 : 0) }
    func push(integer value: Int) { lua_pushinteger(pointer, lua_Integer(value)) }
    func pushNil() { lua_pushnil(pointer) }

    /// Pushes a number as Lua would show it: integral values as integers.
    func push(number value: Double) {
        if value.rounded() == value, abs(value) < 9.0e15 {
            lua_pushinteger(pointer, lua_Integer(value))
        } else {
            lua_pushnumber(pointer, value)
        }
    }

    /// Pushes a time field: nil when unset (NaN).
    func push(time value: Double) {
        if value.isNaN { pushNil() } else { lua_pushnumber(pointer, value) }
    }

    func pushValue(at index: Int32) { lua_pushvalue(pointer, index) }

    /// Pushes `registry[ref][key]`.
    func pushField(ofRegistryTable ref: Int32, key: Int) {
        lua_rawgeti(pointer, prio_registryindex(), lua_Integer(ref))
        lua_rawgeti(pointer, -1, lua_Integer(key))
        prio_remove(pointer, -2)
    }

    /// Pops a value and stores it as `registry[ref][key]`.
    func popIntoRegistryTable(_ ref: Int32, key: Int) {
        lua_rawgeti(pointer, prio_registryindex(), lua_Integer(ref))
        prio_insert(pointer, -2)
        lua_rawseti(pointer, -2, lua_Integer(key))
        pop()
    }

    /// Sets `registry[ref][key] = nil`.
    func clearRegistryField(_ ref: Int32, key: Int) {
        pushNil()
        popIntoRegistryTable(ref, key: key)
    }

    /// Moves `count` values from this state's top onto `other`.
    func move(_ count: Int32, to other: LuaState) { lua_xmove(pointer, other.pointer, count) }

    /// Reads `t[key]` with no metamethods, leaving it on the stack.
    func rawField(_ key: String, ofTableAt index: Int32) -> Int32 {
        let table = lua_absindex(pointer, index)
        push(key)
        return lua_rawget(pointer, table)
    }

    /// Sets `t[key] = value on top` with no metamethods, popping the value.
    func setRawField(_ key: String, ofTableAt index: Int32) {
        let table = lua_absindex(pointer, index)
        push(key)
        prio_insert(pointer, -2)
        lua_rawset(pointer, table)
    }

    /// `tostring(value)` as Lua computes it, with `__tostring` run under
    /// protection. Returns nil and leaves nothing on the stack if it raised.
    func describe(at index: Int32) -> (text: String?, failure: String?) {
        let described = describeBytes(at: index)
        return (described.bytes.map { String(decoding: $0, as: UTF8.self) }, described.failure)
    }

    /// `describe`, keeping the bytes as they are (`print` writes them unchanged).
    func describeBytes(at index: Int32) -> (bytes: [UInt8]?, failure: String?) {
        let status = prio_tostring_protected(pointer, index)
        defer { pop() }
        if status == LUA_OK { return (bytes(at: -1), nil) }
        return (nil, string(at: -1) ?? "error object is a \(typeName(at: -1)) value")
    }

    /// The bytes of the string at `index`, or nil when it is not a string.
    func bytes(at index: Int32) -> [UInt8]? {
        guard lua_type(pointer, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let bytes = lua_tolstring(pointer, index, &length) else { return nil }
        return Array(UnsafeRawBufferPointer(start: bytes, count: length))
    }
}

extension LuaState {
    /// The table at `index` as a dictionary: string keys, values read by
    /// `value` (from the top of the stack). Nil when it is not a table, a key
    /// is not a string, or `value` refuses a value.
    func stringKeyedTable<Value>(at index: Int32, value: (LuaState) -> Value?) -> [String: Value]? {
        guard type(at: index) == LUA_TTABLE else { return nil }
        let table = lua_absindex(pointer, index)
        var map: [String: Value] = [:]
        pushNil()
        while lua_next(pointer, table) != 0 {
            guard let key = string(at: -2), let item = value(self) else {
                pop(2)
                return nil
            }
            map[key] = item
            pop()
        }
        return map
    }
}

/// A `LuaState` must stay on the thread that owns the Lua state.
@available(*, unavailable)
extension LuaState: Sendable {}
