/// One value per job, kept on the Lua side and paged like the core's job
/// records (4096 jobs a page): reading or writing is two array accesses
/// (a dictionary keyed by job id hashed and resized at every power of two
/// under 100,000 task jobs, a third of what submitting one cost), and the
/// memory of a page goes when the core frees its records page (`dropPage`).
struct JobColumn<Element> {
    private var pages: [ContiguousArray<Element>?] = []
    private let empty: Element
    static var pageShift: Int { 12 }

    init(empty: Element) { self.empty = empty }

    subscript(job: Int) -> Element {
        get {
            let page = job >> Self.pageShift
            guard page < pages.count, let values = pages[page] else { return empty }
            return values[job & ((1 << Self.pageShift) - 1)]
        }
        set {
            let page = job >> Self.pageShift
            if page >= pages.count { pages += Array(repeating: nil, count: page + 1 - pages.count) }
            if pages[page] == nil { pages[page] = ContiguousArray(repeating: empty, count: 1 << Self.pageShift) }
            pages[page]![job & ((1 << Self.pageShift) - 1)] = newValue
        }
    }

    /// Forgets the page holding `job` (every job of it was released).
    mutating func dropPage(of job: Int) {
        let page = job >> Self.pageShift
        if page < pages.count { pages[page] = nil }
    }
}
