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

    /// nil for a page whose jobs were all released.
    var pages: ContiguousArray<UnsafeMutablePointer<JobRecord>?> = []
    /// Records on each page not yet released.
    private var liveCounts: ContiguousArray<Int32> = []
    /// Ids handed out so far: the next record gets this id.
    private(set) var count = 0

    init() {}

    deinit {
        for page in pages { page?.deallocate() }
    }

    /// The record of `id`; it must be live (traps on a freed page).
    subscript(id: Int) -> JobRecord {
        unsafeAddress { UnsafePointer(pages[id &>> Self.pageShift]! + (id & (Self.pageSize - 1))) }
        unsafeMutableAddress { pages[id &>> Self.pageShift]! + (id & (Self.pageSize - 1)) }
    }

    /// Whether `id` was handed out and not released yet.
    func isLive(_ id: Int) -> Bool {
        guard id >= 0, id < count, let page = pages[id &>> Self.pageShift] else { return false }
        return !page[id & (Self.pageSize - 1)].released
    }

    /// Stores `record` under the next id, and returns that id.
    mutating func append(_ record: JobRecord) -> Int {
        let id = count
        let offset = id & (Self.pageSize - 1)
        if offset == 0 {
            pages.append(.allocate(capacity: Self.pageSize))
            liveCounts.append(0)
        }
        (pages[pages.count - 1]! + offset).initialize(to: record)
        liveCounts[liveCounts.count - 1] += 1
        count += 1
        return id
    }

    /// Forgets `id`; frees its page once every job on it is released.
    mutating func release(_ id: Int) {
        guard isLive(id) else { return }
        self[id].released = true
        let page = id &>> Self.pageShift
        liveCounts[page] -= 1
        let pageIsFull = (page + 1) << Self.pageShift <= count
        if liveCounts[page] == 0, pageIsFull {
            pages[page]!.deallocate()  // JobRecord is plain data: nothing to deinitialize
            pages[page] = nil
        }
    }

    /// Calls `body` with every live id from `start` on, in id order, skipping freed pages.
    func forEachLive(from start: Int = 0, _ body: (Int) -> Void) {
        var id = Swift.max(start, 0)
        while id < count {
            let pageIndex = id &>> Self.pageShift
            let pageEnd = Swift.min((pageIndex + 1) << Self.pageShift, count)
            if let page = pages[pageIndex] {
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
        get { self[Int(job)].heapPosition }
        set { self[Int(job)].heapPosition = newValue }
    }
}
