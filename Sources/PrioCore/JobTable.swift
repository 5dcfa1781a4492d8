import CPrefetch

/// Job records by id, in pages of 4,096.
///
/// Two reasons for pages instead of one growing array. A long run must not
/// keep memory per finished job: once the runtime releases every job on a
/// page (`release`), the page is freed, so ten million jobs through the
/// scheduler cost what the unfinished and still-referenced ones cost. And
/// growing never copies: a doubling array briefly holds the old and the new
/// buffer, half again its size, at the moment a big queue peaks.
///
/// A job that stays (a long-running one, or one a script holds on to) pins
/// only its own page.
///
/// `@unchecked Sendable`: the pages are owned by this value alone (it cannot
/// be copied), so handing it to another task hands over the memory too.
struct JobTable: ~Copyable, @unchecked Sendable {
    static let pageShift = 12
    static let pageSize = 1 << pageShift

    /// The page pointers, nil for a page whose jobs were all released. Kept
    /// in memory this table allocates itself, so that `pageList` can be
    /// handed to C (which reads fields of job objects directly) and stays
    /// valid until the next `append` that starts a page.
    private var pageStorage: UnsafeMutablePointer<UnsafeMutablePointer<JobRecord>?>
    /// Each job's place in the heap that holds it (`HeapPositions`), in pages
    /// beside the records': 4 bytes a job, densely, so that a sift through a
    /// big heap touches a few cache lines of positions instead of one
    /// 72-byte record per level.
    private var positionStorage: UnsafeMutablePointer<UnsafeMutablePointer<Int32>?>
    private var pageCapacity = 16
    private(set) var pageCount = 0
    /// Records on each page not yet released.
    private var liveCounts: ContiguousArray<Int32> = []
    /// Ids handed out so far: the next record gets this id.
    private(set) var count = 0

    init() {
        pageStorage = .allocate(capacity: pageCapacity)
        positionStorage = .allocate(capacity: pageCapacity)
    }

    deinit {
        for index in 0..<pageCount {
            pageStorage[index]?.deallocate()
            positionStorage[index]?.deallocate()
        }
        pageStorage.deallocate()
        positionStorage.deallocate()
    }

    /// The page pointers (`pageCount` of them), for readers outside Swift.
    var pageList: UnsafePointer<UnsafeMutablePointer<JobRecord>?> { UnsafePointer(pageStorage) }

    /// Page `index`'s records, or nil once freed.
    func page(_ index: Int) -> UnsafeMutablePointer<JobRecord>? {
        precondition(index >= 0 && index < pageCount, "no such page")
        return pageStorage[index]
    }

    private mutating func appendPage() {
        if pageCount == pageCapacity {
            let grown = UnsafeMutablePointer<UnsafeMutablePointer<JobRecord>?>.allocate(capacity: pageCapacity * 2)
            grown.moveInitialize(from: pageStorage, count: pageCount)
            pageStorage.deallocate()
            pageStorage = grown
            let grownPositions = UnsafeMutablePointer<UnsafeMutablePointer<Int32>?>.allocate(capacity: pageCapacity * 2)
            grownPositions.moveInitialize(from: positionStorage, count: pageCount)
            positionStorage.deallocate()
            positionStorage = grownPositions
            pageCapacity *= 2
        }
        (pageStorage + pageCount).initialize(to: .allocate(capacity: Self.pageSize))
        let positions = UnsafeMutablePointer<Int32>.allocate(capacity: Self.pageSize)
        positions.initialize(repeating: -1, count: Self.pageSize)
        (positionStorage + pageCount).initialize(to: positions)
        pageCount += 1
        liveCounts.append(0)
    }

    /// Where the record of `id` is; it must be live (traps on a freed page).
    func address(of id: Int) -> UnsafePointer<JobRecord> {
        UnsafePointer(page(id &>> Self.pageShift)! + (id & (Self.pageSize - 1)))
    }

    /// The record of `id`; it must be live (traps on a freed page).
    subscript(id: Int) -> JobRecord {
        unsafeAddress { UnsafePointer(page(id &>> Self.pageShift)! + (id & (Self.pageSize - 1))) }
        unsafeMutableAddress { page(id &>> Self.pageShift)! + (id & (Self.pageSize - 1)) }
    }

    /// Starts loading `id`'s record and position into the cache
    /// (the next job to start, while this one starts: a million-job queue
    /// is far bigger than the caches, and each job's first touch missed).
    func prefetch(_ id: Int) {
        guard id >= 0, id < count else { return }
        let pageIndex = id &>> Self.pageShift
        let offset = id & (Self.pageSize - 1)
        guard let page = pageStorage[pageIndex] else { return }
        prio_prefetch_for_write(page + offset)
        if let positions = positionStorage[pageIndex] { prio_prefetch_for_write(positions + offset) }
    }

    /// Whether `id` was handed out and not released yet.
    func isLive(_ id: Int) -> Bool {
        guard id >= 0, id < count, let page = pageStorage[id &>> Self.pageShift] else { return false }
        return !page[id & (Self.pageSize - 1)].released
    }

    /// Stores `record` under the next id, and returns that id.
    mutating func append(_ record: JobRecord) -> Int {
        let id = count
        let offset = id & (Self.pageSize - 1)
        if offset == 0 { appendPage() }
        (pageStorage[pageCount - 1]! + offset).initialize(to: record)
        liveCounts[liveCounts.count - 1] += 1
        count += 1
        return id
    }

    /// Forgets `id`; frees its page once every job on it is released.
    /// Returns whether it freed the page.
    @discardableResult
    mutating func release(_ id: Int) -> Bool {
        guard isLive(id) else { return false }
        self[id].released = true
        let page = id &>> Self.pageShift
        liveCounts[page] -= 1
        let pageIsFull = (page + 1) << Self.pageShift <= count
        if liveCounts[page] == 0, pageIsFull {
            pageStorage[page]!.deallocate()  // JobRecord is plain data: nothing to deinitialize
            pageStorage[page] = nil
            positionStorage[page]!.deallocate()
            positionStorage[page] = nil
            return true
        }
        return false
    }

    /// Calls `body` with every live id from `start` on, in id order, skipping freed pages.
    func forEachLive(from start: Int = 0, _ body: (Int) -> Void) {
        var id = Swift.max(start, 0)
        while id < count {
            let pageIndex = id &>> Self.pageShift
            let pageEnd = Swift.min((pageIndex + 1) << Self.pageShift, count)
            if let page = pageStorage[pageIndex] {
                while id < pageEnd {
                    if !page[id & (Self.pageSize - 1)].released { body(id) }
                    id += 1
                }
            }
            id = pageEnd
        }
    }
}

/// Where each job sits in whichever `IndexedHeap` holds it (a job is in at
/// most one heap at a time, so one position per job serves them all).
public protocol HeapPositions: ~Copyable {
    /// The job's index in its heap's entries, or -1 when it is in no heap.
    subscript(heapPosition job: Int32) -> Int32 { get set }
}

extension ContiguousArray: HeapPositions where Element == Int32 {
    public subscript(heapPosition job: Int32) -> Int32 {
        get { self[Int(job)] }
        set { self[Int(job)] = newValue }
    }
}

extension JobTable: HeapPositions {
    subscript(heapPosition job: Int32) -> Int32 {
        get { positionStorage[Int(job) &>> Self.pageShift]![Int(job) & (Self.pageSize - 1)] }
        set { positionStorage[Int(job) &>> Self.pageShift]![Int(job) & (Self.pageSize - 1)] = newValue }
    }
}

/// Where a job record's fields are, for a reader outside Swift: the C
/// `__index` of job objects reads numeric fields straight from the
/// scheduler's pages (`Scheduler.recordPages`), so a policy hook reading
/// `job.base_priority` of every job never crosses into Swift.
public enum JobRecordLayout {
    public static let pageShift = JobTable.pageShift
    public static let stride = MemoryLayout<JobRecord>.stride
    public static let effectivePriority = MemoryLayout<JobRecord>.offset(of: \.effectivePriority)!
    public static let basePriority = MemoryLayout<JobRecord>.offset(of: \.basePriority)!
    public static let submittedAt = MemoryLayout<JobRecord>.offset(of: \.submittedAt)!
    public static let startedAt = MemoryLayout<JobRecord>.offset(of: \.startedAt)!
    public static let finishedAt = MemoryLayout<JobRecord>.offset(of: \.finishedAt)!
    public static let attempt = MemoryLayout<JobRecord>.offset(of: \.attempt)!
    /// A byte whose bit `releasedBit` says the record is released: its fields mean nothing.
    public static let flags = MemoryLayout<JobRecord>.offset(of: \.flags)!
    public static let releasedBit = JobRecord.releasedBit
}

extension Scheduler {
    /// The record pages and their number, valid until the next `submit`.
    public var recordPages: (pages: UnsafeRawPointer, count: Int) {
        (UnsafeRawPointer(records.pageList), records.pageCount)
    }

}
