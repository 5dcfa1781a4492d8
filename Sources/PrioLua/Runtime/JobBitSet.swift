import PrioCore

/// One bit per job id, kept on the Lua side: which jobs' objects are pinned
/// (`pinJobObject`). Ids only rise, so a word array indexed by id serves;
/// a million jobs take 128 KB, and a lookup is one load and a test.
struct JobBitSet {
    private var words: [UInt64] = []
    /// Whether any bit was set since the last `removeAll`.
    private(set) var isEmpty = true

    func contains(_ job: JobID) -> Bool {
        let index = job.value >> 6
        return index < words.count && words[index] & (1 << UInt64(job.value & 63)) != 0
    }

    mutating func insert(_ job: JobID) {
        let index = job.value >> 6
        if index >= words.count { words.append(contentsOf: repeatElement(0, count: index + 1 - words.count)) }
        words[index] |= 1 << UInt64(job.value & 63)
        isEmpty = false
    }

    mutating func remove(_ job: JobID) {
        let index = job.value >> 6
        guard index < words.count else { return }
        words[index] &= ~(1 << UInt64(job.value & 63))
    }

    mutating func removeAll() {
        words = []
        isEmpty = true
    }
}
