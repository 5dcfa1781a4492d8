import CLua
import CLuaShim

/// Transferable values (SPEC §8) in their byte form: what crosses from one
/// Lua state to another (a task job's `args` and results). The bytes are
/// made and read in C (`transfer.c`), straight from one state's stack to
/// another's, with no Swift value tree on the way.
struct TransferBytes: Sendable {
    var bytes: [UInt8]

    /// Encodes the `count` values from `first` of `lua`, or says which value
    /// cannot be transferred: `a function at args.cb` (with `root`), or
    /// `a function at [2].cb` (without: return values, numbered from 1).
    static func encode(
        _ lua: LuaState, first: Int32, count: Int32, root: String?, refs: prio_transfer_refs = prio_transfer_refs()
    ) -> Result<TransferBytes, Failure> {
        var out = prio_bytes()
        var refs = refs
        defer { prio_bytes_free(&out) }
        var error = [CChar](repeating: 0, count: 512)
        let ok = error.withUnsafeMutableBufferPointer { buffer in
            if let root {
                return root.withCString {
                    prio_transfer_encode(
                        lua.pointer, first, count, 1, $0, &refs, &out, buffer.baseAddress, buffer.count)
                }
            }
            return prio_transfer_encode(
                lua.pointer, first, count, 1, nil, &refs, &out, buffer.baseAddress, buffer.count)
        }
        guard ok != 0 else {
            let text = error.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            return .failure(Failure(description: text))
        }
        return .success(TransferBytes(bytes: Array(UnsafeBufferPointer(start: out.data, count: out.length))))
    }

    /// Pushes the values onto `lua` and returns how many, or nil with the
    /// error (out of memory) on top of the stack.
    func push(on lua: LuaState, refs: prio_transfer_refs = prio_transfer_refs()) -> Int32? {
        var count: Int32 = 0
        var refs = refs
        let status = bytes.withUnsafeBufferPointer {
            prio_transfer_decode(lua.pointer, $0.baseAddress, $0.count, &refs, &count)
        }
        return status == LUA_OK ? count : nil
    }

    /// One string value, as `encode` would make it.
    static func string(_ text: String) -> TransferBytes {
        var out = prio_bytes()
        defer { prio_bytes_free(&out) }
        var copy = text
        let ok = copy.withUTF8 { prio_transfer_string($0.baseAddress, $0.count, &out) }
        precondition(ok != 0, "out of memory")
        return TransferBytes(bytes: Array(UnsafeBufferPointer(start: out.data, count: out.length)))
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }
}

extension LuaState {
    /// Replaces the `count` values from `first` with copies made through
    /// their byte form (what a transfer to another state would give), or
    /// returns why they cannot be transferred and leaves the stack as it was.
    func copyTransferable(first: Int32, count: Int32, root: String?) -> String? {
        switch TransferBytes.encode(self, first: first, count: count, root: root) {
        case .failure(let failure): return failure.description
        case .success(let bytes):
            let base = top
            guard let pushed = bytes.push(on: self) else {
                top = base
                return "not enough memory"
            }
            precondition(pushed == count, "a transfer gave back \(pushed) values of \(count)")
            var index: Int32 = 0
            while index < count {
                prio_replace(pointer, first + count - 1 - index)
                index += 1
            }
            return nil
        }
    }
}
