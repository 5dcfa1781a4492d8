/// Byte counts as the command line writes them: `65536`, `512K`, `64M`, `1G`.
public enum MemorySize {
    /// The number of bytes, or nil when the text is not a positive count
    /// with an optional K, M or G suffix (powers of 1024).
    public static func parse(_ text: String) -> Int? {
        var digits = Substring(text)
        var unit = 1
        switch text.last {
        case "K", "k": unit = 1 << 10
        case "M", "m": unit = 1 << 20
        case "G", "g": unit = 1 << 30
        default: break
        }
        if unit != 1 { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let count = Int(digits), count > 0 else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: unit)
        return overflow ? nil : bytes
    }
}
